import { isProjectSlug } from './project-slug';

describe('isProjectSlug', () => {
  it.each(['acme', 'acme-mobile', 'a', '0', '-', '--x--', '2024-q1'])('accepts %p', (slug) => {
    expect(isProjectSlug(slug)).toBe(true);
  });

  it.each(['', 'Acme', 'acme mobile', 'acme_mobile', 'acmé', 'acme\n', 'acme.io', 'ACME'])('rejects %p', (slug) => {
    expect(isProjectSlug(slug)).toBe(false);
  });
});
