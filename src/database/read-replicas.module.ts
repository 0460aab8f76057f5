import { Global, Module } from '@nestjs/common';
import { ReadReplicas } from './read-replicas';

/** ReadReplicas for every module's repositories (DATABASE_REPLICA_URLS; none configured = all reads on the primary). */
@Global()
@Module({ providers: [ReadReplicas], exports: [ReadReplicas] })
export class ReadReplicasModule {}
