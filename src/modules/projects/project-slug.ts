/** Project slugs (SPEC §2.5): lower-case ASCII letters, digits and hyphens; length is checked by the DTO. */
const PROJECT_SLUG_RE = /^[a-z0-9-]+$/;

export const isProjectSlug = (slug: string): boolean => PROJECT_SLUG_RE.test(slug);
