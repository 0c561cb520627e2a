import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { EncryptedSecret, EncryptionKey } from '../../src';
import { nagFindings } from '../harness/compliance';
import { expectAccess, PolicyWorld } from '../harness/simulate';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const VIA = { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' };

describe('EncryptedSecret', () => {
  test('a secret under the key, retained, generated inside Secrets Manager; readers use the key through Secrets Manager only', async () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    const secret = new EncryptedSecret(stack, 'Db', { description: 'orders database' });
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    secret.grantRead(reader);
    app.synth();
    Template.fromStack(stack).hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      Properties: { Description: 'orders database', GenerateSecretString: { PasswordLength: 32 }, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DbKey'), 'Arn'] } },
    });
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    const key = secret.encryptionKey;
    await expectAccess(PolicyWorld.fromStacks([stack]), [
      { label: 'reader through Secrets Manager', principal: reader, key, action: 'kms:Decrypt', context: VIA, expect: 'allow' },
      { label: 'reader directly', principal: reader, key, action: ['kms:Decrypt', 'kms:Encrypt'], expect: 'deny' },
    ]);
    // rotation is the user's to schedule: the only findings left
    expect([...new Set(nagFindings(stack).filter(f => f.resourcePath.startsWith('S/Db')).map(f => f.ruleId))].sort()).toEqual([
      'AwsSolutions-SMG4', 'HIPAA.Security-SecretsManagerRotationEnabled', 'NIST.800.53.R5-SecretsManagerRotationEnabled',
    ]);
  });

  test('DESTROY warns; an asymmetric key is refused', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    new EncryptedSecret(stack, 'Db', { removalPolicy: RemovalPolicy.DESTROY, encryptionKey: new EncryptionKey(stack, 'Key') });
    Annotations.fromStack(stack).hasWarning('/S/Db', Match.stringLikeRegexp('removalPolicy is destroy'));
    expect(() => new EncryptedSecret(stack, 'Bad', { encryptionKey: new EncryptionKey(stack, 'Rsa', { keySpec: kms.KeySpec.RSA_2048 }) }))
      .toThrow(/encryptionKey must be a SYMMETRIC_DEFAULT key \(Secrets Manager supports only symmetric keys\), got 'RSA_2048'/);
    expect(stack.node.tryFindChild('Bad')).toBeUndefined();
  });
});
