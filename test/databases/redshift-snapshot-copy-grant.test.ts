import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
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

/** A rendered `Fn::Join` as one string, `Fn::GetAtt` as `<logicalId>.<attribute>`. */
function flat(value: any): string {
  if (typeof value === 'string') return value;
  if (value?.['Fn::Join']) return (value['Fn::Join'][1] as any[]).map(flat).join(value['Fn::Join'][0]);
  if (value?.['Fn::GetAtt']) return (value['Fn::GetAtt'] as string[]).join('.');
  return JSON.stringify(value);
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
    // cdk-nag, the four packs and KmsChecks: the aws-cdk-lib custom resource handler's findings are acknowledged with reasons
    expect(nagFindings(destination)).toEqual([]);
  });

  test('a new key with the same name: the grant of that name is deleted first, then created under the new key (no SnapshotCopyGrantAlreadyExistsFault)', () => {
    // GIVEN two versions of the stack, the grant's key changed, its name not
    const synth = (keyId: string) => {
      const stack = new Stack(new App(), 'Dr', { env: { account: ACCOUNT, region: 'us-east-1' } });
      new RedshiftSnapshotCopyGrant(stack, 'CopyGrant', { encryptionKey: new EncryptionKey(stack, keyId), snapshotCopyGrantName: 'warehouse-dr' });
      return Template.fromStack(stack);
    };
    const before = synth('CopyKey');
    const after = synth('NewCopyKey');
    const replacement = (t: Template) => Object.values(t.findResources('Custom::RedshiftSnapshotCopyGrantReplacement'));
    const grant = (t: Template) => Object.values(t.findResources('Custom::RedshiftSnapshotCopyGrant'));
    // THEN the replacement resource is updated on a key change (its properties name the key) and deletes the grant of that name
    for (const t of [before, after]) {
      expect(replacement(t)).toHaveLength(1);
      expect(flat(replacement(t)[0].Properties.Create)).toContain('"action":"getCallerIdentity"');
      expect(flat(replacement(t)[0].Properties.Update)).toMatch(/"action":"deleteSnapshotCopyGrant".*"SnapshotCopyGrantName":"warehouse-dr".*SnapshotCopyGrantNotFoundFault/);
      // the grant is updated after it, and keeps its physical id (the name), so CloudFormation deletes nothing afterwards
      const logicalId = Object.keys(t.findResources('Custom::RedshiftSnapshotCopyGrantReplacement'))[0];
      expect(grant(t)[0].DependsOn).toContain(logicalId);
      expect(flat(grant(t)[0].Properties.Update)).toContain('"physicalResourceId":{"id":"warehouse-dr"}');
    }
    expect(flat(replacement(before)[0].Properties.Update)).toContain('"id":"warehouse-dr:CopyKey');
    expect(flat(replacement(after)[0].Properties.Update)).toContain('"id":"warehouse-dr:NewCopyKey');
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
