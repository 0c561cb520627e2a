/**
 * EbsEncryptionByDefault: the account's EBS default key in eu-west-1 (a custom resource with the
 * bundled handler), with the account allowed to use the key through EC2.
 */
import { App, Stack } from 'aws-cdk-lib';
import { PRIMARY_ENV, snapshotTest } from './support';
import { EbsEncryptionByDefault, EncryptionKey } from '../../src';

const app = new App();
const stack = new Stack(app, 'IntegEbsEncryptionByDefault', { env: PRIMARY_ENV });

const key = new EncryptionKey(stack, 'EbsDefaultKey', { description: 'Integ: EBS default key', aliases: ['integ/ebs-default'] });
new EbsEncryptionByDefault(stack, 'EbsDefault', { encryptionKey: key });

snapshotTest(app, 'EbsEncryptionByDefaultTest', [stack]);
