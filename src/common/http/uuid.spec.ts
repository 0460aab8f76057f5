import { isUuid, UUID_RE } from './uuid';

describe('isUuid', () => {
  it.each([
    '8d0c6a3e-1f2b-4c5d-9e8f-0a1b2c3d4e5f',
    '00000000-0000-0000-0000-000000000001',
    '00000000-0000-0000-0000-000000000000',
    'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
    '8D0C6A3E-1f2B-4C5D-9E8F-0A1B2C3D4E5F',
    // versions and variants the RFC does not define are still accepted (§1.3 "any version")
    '8d0c6a3e-1f2b-0c5d-0e8f-0a1b2c3d4e5f',
    '8d0c6a3e-1f2b-fc5d-ce8f-0a1b2c3d4e5f',
  ])('accepts %s', (v) => {
    expect(isUuid(v)).toBe(true);
    expect(UUID_RE.test(v)).toBe(true);
  });

  it.each([
    '',
    'not-a-uuid',
    '8d0c6a3e1f2b4c5d9e8f0a1b2c3d4e5f', // no dashes
    '{8d0c6a3e-1f2b-4c5d-9e8f-0a1b2c3d4e5f}',
    '8d0c6a3e-1f2b-4c5d-9e8f-0a1b2c3d4e5', // 11 in the last group
    '8d0c6a3e-1f2b-4c5d-9e8f-0a1b2c3d4e5f0', // 13 in the last group
    '8d0c6a3e-1f2b-4c5d-9e8f0-a1b2c3d4e5f', // dash in the wrong place
    'g d0c6a3e-1f2b-4c5d-9e8f-0a1b2c3d4e5f',
    '8d0c6a3g-1f2b-4c5d-9e8f-0a1b2c3d4e5f', // non-hex
    ' 8d0c6a3e-1f2b-4c5d-9e8f-0a1b2c3d4e5f',
    '8d0c6a3e-1f2b-4c5d-9e8f-0a1b2c3d4e5f ',
    '8d0c6a3e-1f2b-4c5d-9e8f-0a1b2c3d4e5f\n',
    'urn:uuid:8d0c6a3e-1f2b-4c5d-9e8f-0a1b2c3d4e5f',
  ])('rejects %j', (v) => {
    expect(isUuid(v)).toBe(false);
  });

  it.each([undefined, null, 42, true, {}, [], ['8d0c6a3e-1f2b-4c5d-9e8f-0a1b2c3d4e5f']])('rejects non-string %j', (v) => {
    expect(isUuid(v)).toBe(false);
  });
});
