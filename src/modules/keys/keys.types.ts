import { ApiKeyType } from '../../common/auth/permission';
import { ApiKeyEntity } from './entities/api-key.entity';

/** A key with the names the wire shape shows beside it (§2.0 ApiKey). */
export interface ApiKeyView extends ApiKeyEntity {
  appName: string | null;
  createdByEmail: string;
}

/** The columns authentication needs, fetched by the unique key_hash index. */
export interface ApiKeyAuthRow {
  id: string;
  keyType: ApiKeyType;
  teamId: string;
  appId: string | null;
  permissions: string[];
  createdBy: string;
  expiresAt: Date | null;
}
