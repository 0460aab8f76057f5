import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeyStoreService } from './api-key-store.service';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeyEntity } from './entities/api-key.entity';

/** The api_keys table, shared by auth (key endpoints, login), apps (client keys) and teams (revocation). */
@Module({
  imports: [TypeOrmModule.forFeature([ApiKeyEntity])],
  providers: [ApiKeysRepository, ApiKeyStoreService],
  exports: [ApiKeyStoreService],
})
export class KeysModule {}
