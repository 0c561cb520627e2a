/**
 * ReplicaKey: a multi-Region primary key in eu-west-1 and its replica, with its own aliases and
 * access rules, in us-east-1 (two stacks, one account).
 */
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { PRIMARY_ENV, REPLICA_ENV, snapshotTest } from './support';
import { EncryptionKey, KeyCapability, KeyService, ReplicaKey } from '../../src';

const app = new App();

const primaryStack = new Stack(app, 'IntegReplicaKeyPrimary', { env: PRIMARY_ENV });
const primary = new EncryptionKey(primaryStack, 'DataKey', {
  description: 'Integ: multi-Region primary key',
  aliases: ['integ/multi-region'],
  multiRegion: true,
});

const replicaStack = new Stack(app, 'IntegReplicaKeyReplica', { env: REPLICA_ENV, crossRegionReferences: true });
const drReader = new iam.Role(replicaStack, 'DrReader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
const replica = new ReplicaKey(replicaStack, 'DataKeyReplica', {
  primaryKey: primary,
  description: 'Integ: replica in the disaster-recovery Region',
  aliases: ['integ/multi-region'],
  access: [{
    capabilities: [KeyCapability.DECRYPT, KeyCapability.DESCRIBE],
    principals: [drReader],
    viaServices: [KeyService.S3],
  }],
});
replica.grantEncryptDecrypt(drReader);

snapshotTest(app, 'ReplicaKeyTest', [primaryStack, replicaStack]);
