import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { FOUR_PACKS } from './support';
import { EncryptedRedshiftCluster, EncryptionKey, RedshiftSnapshotCopyGrant } from '../../src';
import { nagFindings } from '../harness/compliance';
import { defineServiceChecks, keyDeploymentRows, ServiceAccessStats, serviceAccessRows } from '../harness/service-access';
import { expectAccess, PolicyWorld } from '../harness/simulate';

const ACCOUNT = '111111111111';
const stats = new ServiceAccessStats();

afterAll(() => {
  console.log(stats.summary('test/databases/redshift-snapshot-copy-grant.test.ts'));
});

/** The two-stack set-up of the README: the grant in the destination Region first, then the cluster. */
function twoRegions(): { app: App; source: Stack; destination: Stack; grant: RedshiftSnapshotCopyGrant; key: EncryptionKey } {
  const app = new App();
  const destination = new Stack(app, 'Dr', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const key = new EncryptionKey(destination, 'CopyKey');
  const grant = new RedshiftSnapshotCopyGrant(destination, 'CopyGrant', { encryptionKey: key, snapshotCopyGrantName: 'warehouse-dr' });
  const source = new Stack(app, 'Primary', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(source, 'Vpc', { subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  new EncryptedRedshiftCluster(source, 'Warehouse', { vpc, snapshotCopy: { destinationRegion: grant.region, grantName: grant.snapshotCopyGrantName } });
  source.addDependency(destination, 'the snapshot copy grant exists before the cluster names it');
  return { app, source, destination, grant, key };
}

describe('RedshiftSnapshotCopyGrant', () => {
  test('creates the grant with the destination Region\'s key through Redshift; its handler may use the key through Redshift only', async () => {
    const { app, source, destination, grant, key } = twoRegions();
    app.synth();
    expect(grant.region).toBe('us-east-1');
    const template = Template.fromStack(destination);
    template.hasResource('Custom::RedshiftSnapshotCopyGrant', {
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^CopyKey')]),
      Properties: Match.objectLike({
        InstallLatestAwsSdk: false,
        Create: { 'Fn::Join': ['', [Match.stringLikeRegexp('"service":"Redshift","action":"createSnapshotCopyGrant","parameters":\\{"SnapshotCopyGrantName":"warehouse-dr","KmsKeyId":"$'), { 'Fn::GetAtt': [Match.stringLikeRegexp('^CopyKey'), 'Arn'] }, Match.stringLikeRegexp('"physicalResourceId":\\{"id":"warehouse-dr"\\}')]] },
        Update: { 'Fn::Join': ['', [Match.stringLikeRegexp('"action":"createSnapshotCopyGrant"'), Match.anyValue(), Match.anyValue()]] },
        Delete: Match.stringLikeRegexp('"action":"deleteSnapshotCopyGrant".*"ignoreErrorCodesMatching":"SnapshotCopyGrantNotFoundFault"'),
      }),
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: ['redshift:CreateSnapshotCopyGrant', 'redshift:DeleteSnapshotCopyGrant'], Effect: 'Allow', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':redshift:us-east-1:111111111111:snapshotcopygrant:warehouse-dr']] } }] },
    });
    expect(source.dependencies).toContain(destination);
    expect(Annotations.fromStack(destination).findWarning('*', Match.anyValue())).toEqual([]);

    const world = PolicyWorld.fromStacks([source, destination]);
    const handlerRole = destination.node.findChild('AWS679f53fac002430cb0da5b7982bd2287').node.findChild('ServiceRole');
    const viaRedshift = { 'kms:ViaService': 'redshift.us-east-1.amazonaws.com' };
    await expectAccess(world, [
      { label: 'handler describes the key through Redshift', principal: handlerRole, key, action: 'kms:DescribeKey', context: viaRedshift, expect: 'allow' },
      { label: 'handler creates the grant for an AWS resource', principal: handlerRole, key, action: 'kms:CreateGrant', context: { ...viaRedshift, 'kms:GrantIsForAWSResource': 'true' }, expect: 'allow' },
      { label: 'handler: a grant for a principal', principal: handlerRole, key, action: 'kms:CreateGrant', context: { ...viaRedshift, 'kms:GrantIsForAWSResource': 'false' }, expect: 'deny' },
      { label: 'handler decrypts', principal: handlerRole, key, action: ['kms:Decrypt', 'kms:GenerateDataKey'], context: viaRedshift, expect: 'deny' },
      { label: 'handler through another service', principal: handlerRole, key, action: 'kms:DescribeKey', context: { 'kms:ViaService': 'rds.us-east-1.amazonaws.com' }, expect: 'deny' },
    ]);
    // cdk-nag, four packs: the aws-cdk-lib custom resource handler's findings are acknowledged with reasons
    expect(nagFindings(destination, { packs: FOUR_PACKS() })).toEqual([]);
  });

  test.each([
    ['capitals', 'Warehouse-DR'], ['a trailing hyphen', 'warehouse-'], ['two hyphens', 'ware--house'], ['a digit first', '1warehouse'], ['64 characters', `a${'b'.repeat(63)}`],
  ])('refuses a name with %s', (_name, name) => {
    const stack = new Stack(new App(), 'Dr', { env: { account: ACCOUNT, region: 'us-east-1' } });
    const key = new EncryptionKey(stack, 'Key');
    expect(() => new RedshiftSnapshotCopyGrant(stack, 'G', { encryptionKey: key, snapshotCopyGrantName: name }))
      .toThrow(`snapshotCopyGrantName must be 1 to 63 lowercase letters, digits or hyphens, start with a letter, and have no trailing or consecutive hyphens, got '${name}'`);
    expect(stack.node.tryFindChild('G')).toBeUndefined();
  });

  test('refuses a key of another Region and an asymmetric key', () => {
    const stack = new Stack(new App(), 'Dr', { env: { account: ACCOUNT, region: 'us-east-1' } });
    expect(() => new RedshiftSnapshotCopyGrant(stack, 'G', {
      encryptionKey: EncryptionKey.fromKeyArn(stack, 'Primary', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
      snapshotCopyGrantName: 'g',
    })).toThrow("encryptionKey must be a key in the stack's Region us-east-1 (Redshift uses keys of its own Region only), got 'eu-west-1'");
    expect(() => new RedshiftSnapshotCopyGrant(stack, 'H', { encryptionKey: new EncryptionKey(stack, 'Ecc', { keySpec: kms.KeySpec.ECC_NIST_P256 }), snapshotCopyGrantName: 'g' }))
      .toThrow(/encryptionKey must be a SYMMETRIC_DEFAULT key \(Redshift supports only symmetric keys\)/);
  });
});

describe('RedshiftSnapshotCopyGrant service requests (the model\'s Redshift copy rows, on the destination key)', () => {
  const { app, source, destination, grant, key } = twoRegions();
  app.synth();
  const world = PolicyWorld.fromStacks([source, destination]);
  const handlerRole = destination.node.findChild('AWS679f53fac002430cb0da5b7982bd2287').node.findChild('ServiceRole');
  defineServiceChecks(world, [
    ...serviceAccessRows(world, {
      label: `RedshiftSnapshotCopyGrant ${grant.node.path}`,
      key,
      account: ACCOUNT,
      region: 'us-east-1',
      services: ['redshift'],
      actors: [{ label: 'the grant\'s custom resource handler', principal: handlerRole, steps: ['copy'] }],
    }),
    ...keyDeploymentRows(world),
  ], stats);
});
