import { defaultNameFor } from './users.service';
import { personalTeamSlug } from '../teams/teams.service';

describe('signup naming rules (§2.1)', () => {
  it.each([
    ['ada.l@example.com', 'Ada.l'],
    ['bob@example.com', 'Bob'],
    ['1x@example.com', '1x'],
    ['élodie@example.com', 'Élodie'],
  ])('%s → name %s', (email, name) => expect(defaultNameFor(email)).toBe(name));

  it.each([
    ['Ada.l', 'ada-l-0b9e5c1a'],
    ["O'Brien  Jr", 'o-brien-jr-0b9e5c1a'],
    ['--', 'team-0b9e5c1a'],
    ['Élodie', 'lodie-0b9e5c1a'],
  ])('team slug of %s', (name, slug) => expect(personalTeamSlug(name, '0b9e5c1a-7f3d-4e2a-9c41-2d7f8e6a5b10')).toBe(slug));
});
