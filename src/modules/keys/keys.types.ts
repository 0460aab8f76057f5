import { ApiKeyType } from '../../common/auth/permission';
import { ApiKeyApp } from '../../common/auth/principal';
import { ApiKeyEntity } from './entities/api-key.entity';

/** A key with the names the wire shape shows beside it (§2.0 ApiKey). */
export interface ApiKeyView extends ApiKeyEntity {
  appName: string | null;
  createdByEmail: string;
}

/** The columns authentication needs, fetched by the unique key_hash index, with the key's app (ingest's §2.7 checks). */
export interface ApiKeyAuthRow {
  id: string;
  keyType: ApiKeyType;
  teamId: string;
  appId: string | null;
  app: ApiKeyApp | null;
  permissions: string[];
  createdBy: string;
  expiresAt: Date | null;
}
