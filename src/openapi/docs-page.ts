import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/**
 * The interactive documentation page of `GET /docs` (B11): Swagger UI from the `swagger-ui-dist` package
 * that @nestjs/swagger ships, served by this process (no CDN, so it also works offline), reading the
 * document from `GET /openapi.json`. SwaggerModule.setup would need @fastify/static; four fixed routes do.
 */
export const DOCS_PATH = '/docs';
export const OPENAPI_PATH = '/openapi.json';

/** Files of swagger-ui-dist the page loads, served as `/docs/<name>`. */
export const DOCS_ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

/** swagger-ui-dist as @nestjs/swagger resolves it (its own dependency, whether hoisted or nested). */
export const docsAssetDir = (): string =>
  dirname(createRequire(require.resolve('@nestjs/swagger')).resolve('swagger-ui-dist/package.json'));

export const DOCS_INITIALIZER = 'docs-initializer.js';

/** Kept out of the HTML so the page needs no inline script. `validatorUrl: null`: no call to swagger.io. */
export const docsInitializerJs = (): string => `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(OPENAPI_PATH)},
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    withCredentials: true,
    persistAuthorization: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;

export const docsHtml = (title: string): string => `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title}</title>
  <link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
  <link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png">
  <style>body { margin: 0; background: #fafafa; }</style>
</head>
<body>
  <div id="swagger-ui" data-openapi-url="${OPENAPI_PATH}"></div>
  <script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
  <script src="${DOCS_PATH}/${DOCS_INITIALIZER}"></script>
</body>
</html>
`;
