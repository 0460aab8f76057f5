import { clientKeyName, createAppProblem, storedBundleId } from './app-rules';
import { AppErrors } from './apps.errors';

describe('createAppProblem', () => {
  it('accepts every platform with a bundle id', () => {
    for (const p of ['apple', 'android', 'web', 'backend']) expect(createAppProblem(p, 'com.acme')).toBeNull();
  });

  it('lets backend apps omit the bundle id', () => {
    expect(createAppProblem('backend', undefined)).toBeNull();
  });

  it('requires a bundle id for the other platforms', () => {
    for (const p of ['apple', 'android', 'web']) expect(createAppProblem(p, undefined)).toBe(AppErrors.bundleIdRequired);
  });

  it('checks the platform first, case-sensitively', () => {
    expect(createAppProblem('Apple', undefined)).toBe(AppErrors.invalidPlatform);
    expect(createAppProblem('ios', 'com.acme')).toBe(AppErrors.invalidPlatform);
    expect(createAppProblem('', 'com.acme')).toBe(AppErrors.invalidPlatform);
  });
});

describe('storedBundleId', () => {
  it('keeps the bundle id exactly as sent', () => {
    expect(storedBundleId('apple', 'Com.Acme.App ')).toBe('Com.Acme.App ');
  });

  it('stores null for backend apps whatever was sent', () => {
    expect(storedBundleId('backend', 'com.acme')).toBeNull();
    expect(storedBundleId('backend', undefined)).toBeNull();
  });
});

describe('clientKeyName', () => {
  it('appends " Client Key"', () => {
    expect(clientKeyName('Acme iOS')).toBe('Acme iOS Client Key');
  });

  it('cuts to 255 code points, never splitting a surrogate pair', () => {
    const name = clientKeyName('😀'.repeat(250));
    expect(Array.from(name)).toHaveLength(255);
    expect(name).toBe('😀'.repeat(250) + ' Clie');
  });
});
