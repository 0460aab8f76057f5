import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-http-bearer';
import { ApiKeyPrincipal } from '../../../common/auth/principal';
import { ApiKeyStoreService } from '../../keys/api-key-store.service';
import { AuthErrors } from '../auth.errors';

export const API_KEY_STRATEGY = 'api-key';

/** `owl_client_…` / `owl_agent_…` bearer tokens, looked up by SHA-256 (§1.7). */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(Strategy, API_KEY_STRATEGY) {
  constructor(private readonly keys: ApiKeyStoreService) {
    super();
  }

  async validate(token: string): Promise<ApiKeyPrincipal> {
    const result = await this.keys.authenticate(token);
    if (result.ok) return result.principal;
    throw new UnauthorizedException(result.reason === 'expired' ? AuthErrors.apiKeyExpired : AuthErrors.invalidApiKey);
  }
}
