import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { isUuid } from '../../common/http/uuid';
import { AppEntity } from './entities/app.entity';
import { AppsRepository } from './apps.repository';

@Injectable()
export class AppsService {
  constructor(private readonly apps: AppsRepository) {}

  /** A live app by id; null for unknown, deleted or malformed ids. */
  findActive(id: string, m?: EntityManager): Promise<AppEntity | null> {
    return isUuid(id) ? this.apps.findActive(id.toLowerCase(), m) : Promise.resolve(null);
  }
}
