import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';

/**
 * The documentation page of `GET /docs`: a server-rendered summary, then Swagger UI from the `swagger-ui-dist` package
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
    onComplete: function () {
      var summary = document.getElementById('docs-summary');
      if (summary) summary.hidden = true;
    },
  });
});
`;

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Escaped text with `code` spans and **bold** of the document's Markdown; paragraphs at blank lines. */
const inlineMarkdown = (text: string): string =>
  escapeHtml(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/\*([^*]+)\*/g, '<em>$1</em>');

const paragraphs = (text: string): string =>
  text
    .split(/\n\s*\n/)
    .map((p) => `<p>${inlineMarkdown(p.replace(/\n/g, ' '))}</p>`)
    .join('\n    ');

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** Every operation of the document, grouped by tag in the document's order (tags first listed in `tags`). */
function operationsByTag(document: OpenAPIObject): Map<string, { method: string; path: string; summary: string }[]> {
  const groups = new Map<string, { method: string; path: string; summary: string }[]>((document.tags ?? []).map((t) => [t.name, []]));
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? 'Other';
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag)!.push({ method: method.toUpperCase(), path, summary: op.summary ?? '' });
    }
  }
  return groups;
}

/**
 * The page: a server-rendered summary of the document (title, introduction, every operation by group) that a
 * browser paints before any script runs — and that stays when scripts are off or fail — then Swagger UI, which
 * hides the summary once it has rendered the interactive version. Scripts are deferred: they never hold the
 * first paint back.
 */
export function docsHtml(document: OpenAPIObject): string {
  const title = escapeHtml(document.info.title);
  const descriptions = new Map((document.tags ?? []).map((t) => [t.name, t.description ?? '']));
  const groups = [...operationsByTag(document)]
    .filter(([, ops]) => ops.length > 0)
    .map(
      ([tag, ops]) => `<section>
      <h2>${escapeHtml(tag)}</h2>
      ${descriptions.get(tag) ? `<p>${inlineMarkdown(descriptions.get(tag)!)}</p>` : ''}
      <ul>
        ${ops.map((o) => `<li><code class="method ${o.method.toLowerCase()}">${o.method}</code> <code class="path">${escapeHtml(o.path)}</code> ${escapeHtml(o.summary)}</li>`).join('\n        ')}
      </ul>
    </section>`,
    )
    .join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title}</title>
  <link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
  <link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png">
  <style>
    body { margin: 0; background: #fafafa; }
    #docs-summary { max-width: 1100px; margin: 0 auto; padding: 24px 20px; font: 14px/1.5 sans-serif; color: #3b4151; }
    #docs-summary h1 { font-size: 32px; margin: 0 0 8px; }
    #docs-summary h2 { font-size: 20px; margin: 28px 0 4px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
    #docs-summary ul { list-style: none; padding: 0; margin: 8px 0; }
    #docs-summary li { padding: 3px 0; }
    #docs-summary code { font-family: monospace; }
    #docs-summary .method { display: inline-block; min-width: 58px; text-align: center; color: #fff; border-radius: 3px;
      padding: 1px 4px; font-weight: bold; background: #61affe; }
    #docs-summary .post { background: #49cc90; } #docs-summary .patch { background: #50e3c2; }
    #docs-summary .put { background: #fca130; } #docs-summary .delete { background: #f93e3e; }
    #docs-summary .path { font-weight: bold; margin-right: 6px; }
  </style>
</head>
<body>
  <main id="docs-summary">
    <h1>${title} <small>${escapeHtml(document.info.version)}</small></h1>
    <p>Machine-readable: <a href="${OPENAPI_PATH}">${OPENAPI_PATH}</a> (OpenAPI ${escapeHtml(document.openapi)}). The interactive version
      (with “Try it out”) loads below when scripts run.</p>
    ${paragraphs(document.info.description ?? '')}
    ${groups}
  </main>
  <div id="swagger-ui" data-openapi-url="${OPENAPI_PATH}"></div>
  <script defer src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
  <script defer src="${DOCS_PATH}/${DOCS_INITIALIZER}"></script>
</body>
</html>
`;
}
