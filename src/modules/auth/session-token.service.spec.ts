import { JwtService } from '@nestjs/jwt';
import { verify } from 'jsonwebtoken';
import { AppConfig } from '../../config/app-config';
import { SESSION_TTL_SECONDS } from './auth.errors';
import { SessionTokenService, sessionSecretOf } from './session-token.service';

const config = { jwtSecret: 'unit-secret' } as AppConfig;

describe('SessionTokenService', () => {
  const tokens = new SessionTokenService(new JwtService(), config);

  it('signs HS256 session JWTs with sub, email, iat and a 7-day exp', () => {
    const token = tokens.sign({ id: '0b9e5c1a-7f3d-4e2a-9c41-2d7f8e6a5b10', email: 'ada@example.com' });
    const claims = verify(token, 'unit-secret', { algorithms: ['HS256'] }) as Record<string, number | string>;
    expect(claims).toEqual({
      sub: '0b9e5c1a-7f3d-4e2a-9c41-2d7f8e6a5b10',
      email: 'ada@example.com',
      iat: expect.any(Number),
      exp: expect.any(Number),
    });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(SESSION_TTL_SECONDS);
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
  });

  it('verifies with its key object and derives distinct keys per purpose', () => {
    const token = tokens.sign({ id: 'u', email: 'e' });
    expect(() => verify(token, tokens.verifyKey, { algorithms: ['HS256'] })).not.toThrow();
    expect(tokens.keyFor('login-codes')).toEqual(tokens.keyFor('login-codes'));
    expect(tokens.keyFor('login-codes')).not.toEqual(tokens.keyFor('other'));
  });

  it('refuses to run without a resolved secret', () => {
    expect(() => sessionSecretOf({ jwtSecret: null } as unknown as AppConfig)).toThrow('JWT secret was not resolved at boot');
  });
});
