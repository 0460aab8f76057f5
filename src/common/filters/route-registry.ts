import Router from 'find-my-way';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
type Method = (typeof METHODS)[number];

/**
 * Every route Fastify registers, kept in a second router so an unmatched request can be told apart:
 * a known path with another method (405 + Allow) or an unknown path (404).
 */
export class RouteRegistry {
  private readonly router = Router();
  private readonly known: { method: string; url: string }[] = [];

  add(method: string | string[], url: string): void {
    for (const m of Array.isArray(method) ? method : [method]) {
      if ((METHODS as readonly string[]).includes(m) && !this.router.hasRoute(m as Method, url)) {
        this.router.on(m as Method, url, () => undefined);
        this.known.push({ method: m, url });
      }
    }
  }

  /** Every (method, route template) registered, in registration order (the OpenAPI test compares them to the document). */
  routes(): readonly { method: string; url: string }[] {
    return this.known;
  }

  /** Methods that would match this path (query string ignored); empty when the path is unknown. */
  allowedMethods(url: string): string[] {
    const path = url.split('?')[0];
    return METHODS.filter((m) => this.router.find(m, path) !== null);
  }
}
