/**
 * Property-based tests of the key policy engine: random role sets, random grants.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as fc from 'fast-check';
import { EncryptionKey, KeyAccess, KeyCapability, KeyPolicyMode, KeyService } from '../../src';
import { KEY_SPEC_USAGES } from '../../src/keys/key-specs';
import { capabilityMismatch } from '../../src/private/capabilities';

const ACCOUNT = '111111111111';
const ACCOUNTS = [ACCOUNT, '222222222222', '333333333333'];
const SERVICES = [KeyService.S3, KeyService.EC2, KeyService.RDS, KeyService.SSM, KeyService.SECRETS_MANAGER, KeyService.LAMBDA];
const CRYPTO = new Set([
  'kms:Decrypt', 'kms:DeriveSharedSecret', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyPair',
  'kms:GenerateDataKeyPairWithoutPlaintext', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:GenerateMac', 'kms:ReEncryptFrom',
  'kms:ReEncryptTo', 'kms:Sign', 'kms:Verify', 'kms:VerifyMac', 'kms:CreateGrant',
]);
const NUM_RUNS = 150;
let runs = 0;

const roleName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9+=,.@_-]{0,40}$/);
const principalArb = fc.tuple(fc.constantFrom(...ACCOUNTS), roleName).map(([account, name]) => `arn:aws:iam::${account}:role/${name}`);
const specArb = fc.constantFrom(...(Object.keys(KEY_SPEC_USAGES) as kms.KeySpec[]));

function accessArb(spec: kms.KeySpec, usage: kms.KeyUsage): fc.Arbitrary<KeyAccess> {
  return fc.record({
    capabilities: fc.subarray(fitting(spec, usage), { minLength: 1 }),
    principals: fc.array(principalArb, { maxLength: 6 }),
    patterns: fc.array(fc.tuple(fc.constantFrom(...ACCOUNTS), fc.stringMatching(/^[a-z]{1,12}$/)).map(([a, p]) => `arn:aws:iam::${a}:role/${p}/*`), { maxLength: 2 }),
    accounts: fc.array(fc.constantFrom(...ACCOUNTS.slice(1)), { maxLength: 2 }),
    via: fc.subarray(SERVICES),
    context: fc.option(fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.stringMatching(/^[a-z*]{1,10}$/), { maxKeys: 2 }), { nil: undefined }),
  }).filter(r => r.principals.length + r.patterns.length + r.accounts.length > 0)
    .map(r => ({
      capabilities: r.capabilities,
      principals: r.principals.map(p => new iam.ArnPrincipal(p)),
      principalArnPatterns: r.patterns.length > 0 ? r.patterns : undefined,
      accounts: r.accounts.length > 0 ? [...new Set(r.accounts)] : undefined,
      viaServices: r.via.length > 0 ? r.via : undefined,
      encryptionContext: r.context && Object.keys(r.context).length > 0 ? r.context : undefined,
    }));
}

function fitting(spec: kms.KeySpec, usage: kms.KeyUsage): KeyCapability[] {
  return Object.values(KeyCapability).filter(c => capabilityMismatch(c, spec, usage) === undefined);
}

const scenarioArb = specArb.chain(spec => fc.constantFrom(...KEY_SPEC_USAGES[spec]).chain(usage => fc.record({
  spec: fc.constant(spec),
  usage: fc.constant(usage),
  mode: fc.constantFrom(KeyPolicyMode.LEAST_PRIVILEGE, KeyPolicyMode.AWS_DEFAULT),
  admins: fc.array(principalArb, { maxLength: 4 }),
  access: fc.array(accessArb(spec, usage), { maxLength: 40 }),
  grants: fc.array(fc.tuple(roleName, fc.subarray(fitting(spec, usage), { minLength: 1 })), { maxLength: 8 }),
})));

describe('key policy properties', () => {
  afterAll(() => console.log(`property-based runs: ${runs}`));

  test('valid JSON under 32 KB or the size error; no kms:* outside AWS_DEFAULT; no bare Principal *; administrators never use the key', () => {
    fc.assert(fc.property(scenarioArb, scenario => {
      runs++;
      const app = new App();
      const stack = new Stack(app, 'S', { env: { account: ACCOUNT, region: 'eu-west-1' } });
      let key: EncryptionKey;
      try {
        key = new EncryptionKey(stack, 'Key', {
          keySpec: scenario.spec,
          keyUsage: scenario.usage,
          policyMode: scenario.mode,
          administrators: scenario.admins.map(a => new iam.ArnPrincipal(a)),
          access: scenario.access,
        });
      } catch (e) {
        // the only refusal allowed here: operations KMS does not honour across accounts
        expect(String(e)).toMatch(/KMS does not honour .* across accounts/);
        return;
      }
      for (const [name, capabilities] of scenario.grants) {
        const role = new iam.Role(stack, `Grantee${name.replace(/[^A-Za-z0-9]/g, '')}${Math.random().toString(36).slice(2, 6)}`, {
          assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        });
        key.grantCapabilities(role, ...capabilities);
      }
      let synthError: unknown;
      try {
        app.synth();
      } catch (e) {
        synthError = e;
      }
      const document = stack.resolve(key.keyPolicy);
      const json = JSON.stringify(document);
      expect(JSON.parse(json)).toEqual(document);
      if (synthError) {
        expect(String(synthError)).toMatch(/is about \d+ bytes, over KMS's limit of 32768/);
        expect(Buffer.byteLength(json)).toBeGreaterThan(20000);
        return;
      }
      expect(Buffer.byteLength(json)).toBeLessThanOrEqual(32768);
      for (const statement of document.Statement) {
        const actions: string[] = [].concat(statement.Action);
        if (scenario.mode === KeyPolicyMode.LEAST_PRIVILEGE) {
          expect(actions).not.toContain('kms:*');
        }
        if (statement.Principal === '*' || statement.Principal?.AWS === '*') {
          const keys = Object.values<any>(statement.Condition ?? {}).flatMap(Object.keys);
          expect(keys.some(k => ['aws:PrincipalArn', 'aws:PrincipalAccount', 'kms:CallerAccount', 'aws:PrincipalOrgID'].includes(k))).toBe(true);
        }
        if (statement.Sid.startsWith('Administer') || statement.Sid.startsWith('InspectFromOtherAccount')) {
          expect(actions.filter(a => CRYPTO.has(a))).toEqual([]);
        }
      }
      // every administrator and the deployment role can administer
      const administer = document.Statement.filter((s: any) => [].concat(s.Action).includes('kms:PutKeyPolicy' as never));
      expect(administer.length).toBeGreaterThan(0);
    }), { numRuns: NUM_RUNS, seed: 20261128 });
  });
});
