import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { KeyCapability } from '../../src/policy/key-capability';
import { expandActions } from '../../src/policy/key-grants';
import { CAPABILITIES } from '../../src/private/capabilities';
import * as perms from '../../src/private/perms';

/** Every exported action list of perms.ts, by name. */
const LISTS = Object.entries(perms).filter((e): e is [string, string[]] => Array.isArray(e[1]));

/** aws-cdk-lib's own action lists (aws-kms/lib/private/perms), read from the installed aws-cdk-lib. */
function cdkPerms(): { ENCRYPT_ACTIONS: string[]; DECRYPT_ACTIONS: string[] } {
  const root = path.dirname(require.resolve('aws-cdk-lib/package.json'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(root, 'aws-kms', 'lib', 'private', 'perms.js'));
}

/** The operations of botocore's KMS service model (preinstalled with boto3), with their input members. */
function kmsOperations(): Record<string, string[]> {
  let dir: string;
  try {
    dir = execFileSync('python3', ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__))'], { encoding: 'utf8' }).trim();
  } catch (e) {
    throw new Error(`botocore's service models are needed (pip install boto3): ${(e as Error).message}`);
  }
  const versions = fs.readdirSync(path.join(dir, 'data', 'kms')).sort();
  const base = path.join(dir, 'data', 'kms', versions[versions.length - 1], 'service-2.json');
  const text = fs.existsSync(base) ? fs.readFileSync(base, 'utf8') : zlib.gunzipSync(fs.readFileSync(`${base}.gz`)).toString('utf8');
  const model = JSON.parse(text);
  const result: Record<string, string[]> = {};
  for (const [name, op] of Object.entries<any>(model.operations)) {
    const shape = op.input ? model.shapes[op.input.shape] : undefined;
    result[name] = Object.keys(shape?.members ?? {});
  }
  return result;
}

/** IAM action names of a KMS operation: ReEncrypt is authorized as ReEncryptFrom and ReEncryptTo. */
function iamActionsOf(operation: string): string[] {
  return operation === 'ReEncrypt' ? ['kms:ReEncryptFrom', 'kms:ReEncryptTo'] : [`kms:${operation}`];
}

describe('action lists', () => {
  test('there are lists to check', () => {
    expect(LISTS.map(([name]) => name)).toEqual(expect.arrayContaining(['ADMIN_ACTIONS', 'CROSS_ACCOUNT_ACTIONS', 'KEY_RESOURCE_ACTIONS']));
  });

  test.each(LISTS)('%s is sorted, unique, and names KMS actions only', (_name, list) => {
    expect(list.length).toBeGreaterThan(0);
    expect([...list].sort()).toEqual(list);
    expect(new Set(list).size).toBe(list.length);
    for (const action of list) {
      expect(action).toMatch(/^kms:[A-Z][A-Za-z]+$/);
    }
  });

  test('every list but GenerateRandom\'s applies to a key resource', () => {
    for (const [name, list] of LISTS.filter(([n]) => n !== 'GENERATE_RANDOM_ACTIONS')) {
      expect({ name, outside: list.filter(a => !perms.KEY_RESOURCE_ACTIONS.includes(a)) }).toEqual({ name, outside: [] });
    }
    expect(perms.KEY_RESOURCE_ACTIONS).not.toContain('kms:GenerateRandom');
  });

  test('the single-action constants are in the lists that use them', () => {
    expect(perms.ADMIN_ACTIONS).toContain(perms.PUT_KEY_POLICY_ACTION);
    expect(perms.GRANT_FOR_AWS_RESOURCE_ACTIONS).toContain(perms.CREATE_GRANT_ACTION);
    expect(perms.ALL_ACTIONS_WILDCARD).toBe('kms:*');
  });
});

describe('administration and use are separate', () => {
  test('administrators never get a cryptographic action, nor CreateGrant', () => {
    const crypto = Object.entries(CAPABILITIES)
      .filter(([c]) => c !== KeyCapability.DESCRIBE && c !== KeyCapability.GRANT_FOR_AWS_RESOURCE)
      .flatMap(([, info]) => info.actions);
    expect(perms.ADMIN_ACTIONS.filter(a => crypto.includes(a))).toEqual([]);
    expect(perms.ADMIN_ACTIONS).not.toContain(perms.CREATE_GRANT_ACTION);
  });

  test('the mutating administrative actions are administrative, and no capability holds one', () => {
    expect(perms.MUTATING_ADMIN_ACTIONS.filter(a => !perms.ADMIN_ACTIONS.includes(a))).toEqual([]);
    for (const [capability, info] of Object.entries(CAPABILITIES)) {
      expect({ capability, admin: info.actions.filter(a => perms.MUTATING_ADMIN_ACTIONS.includes(a)) }).toEqual({ capability, admin: [] });
    }
  });

  test('the administrative actions that do not change the key are the read-only ones and RevokeGrant', () => {
    expect(perms.ADMIN_ACTIONS.filter(a => !perms.MUTATING_ADMIN_ACTIONS.includes(a))).toEqual([
      'kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListGrants', 'kms:ListKeyPolicies',
      'kms:ListKeyRotations', 'kms:ListResourceTags', 'kms:RevokeGrant',
    ]);
    expect(perms.MUTATING_ADMIN_ACTIONS).toContain(perms.PUT_KEY_POLICY_ACTION);
  });
});

describe('across accounts', () => {
  test('an administrator of another account keeps only actions that change nothing', () => {
    const crossAccountAdmin = perms.ADMIN_ACTIONS.filter(a => perms.CROSS_ACCOUNT_ACTIONS.includes(a));
    expect(crossAccountAdmin).toEqual(['kms:DescribeKey', 'kms:GetKeyRotationStatus', 'kms:ListGrants', 'kms:RevokeGrant']);
    expect(crossAccountAdmin.filter(a => perms.MUTATING_ADMIN_ACTIONS.includes(a))).toEqual([]);
  });

  test('every capability works across accounts (KeyAccess.accounts accepts any of them)', () => {
    for (const [capability, info] of Object.entries(CAPABILITIES)) {
      expect({ capability, refused: info.actions.filter(a => !perms.CROSS_ACCOUNT_ACTIONS.includes(a)) }).toEqual({ capability, refused: [] });
    }
  });

  test('policy, lifecycle and alias operations are never honoured across accounts', () => {
    for (const action of ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:CreateAlias', 'kms:TagResource', 'kms:EnableKey']) {
      expect(perms.CROSS_ACCOUNT_ACTIONS).not.toContain(action);
    }
  });
});

describe('KEY_RESOURCE_ACTIONS', () => {
  test('is the union of the administrative, cross-account, RetireGrant and GetKeyLastUsage actions', () => {
    expect(perms.KEY_RESOURCE_ACTIONS).toEqual(
      [...new Set([...perms.ADMIN_ACTIONS, ...perms.CROSS_ACCOUNT_ACTIONS, 'kms:RetireGrant', 'kms:GetKeyLastUsage'])].sort());
  });

  test('names only real KMS operations (botocore\'s KMS model)', () => {
    const known = Object.keys(kmsOperations()).flatMap(iamActionsOf);
    expect(perms.KEY_RESOURCE_ACTIONS.filter(a => !known.includes(a))).toEqual([]);
  });

  // kms:GetKeyLastUsage (a KeyId operation of the current KMS API, listed on the key resource in the
  // IAM Service Authorization Reference) is missing: `kms:Get*` does not expand to it and
  // `key.grant(role, 'kms:GetKeyLastUsage')` is refused as "matches no KMS action that applies to a key".
  test('holds every KMS operation that names a key (botocore\'s KMS model)', () => {
    const operations = kmsOperations();
    const keyOperations = Object.entries(operations)
      // ListAliases takes KeyId as a filter only; its IAM resource is "*".
      .filter(([name, members]) => name !== 'ListAliases' && members.some(m => ['KeyId', 'TargetKeyId', 'DestinationKeyId'].includes(m)))
      .flatMap(([name]) => iamActionsOf(name));
    expect(keyOperations.length).toBeGreaterThan(40);
    expect(keyOperations.filter(a => !perms.KEY_RESOURCE_ACTIONS.includes(a))).toEqual([]);
  });
});

describe('aws-cdk-lib\'s contract', () => {
  test('CDK_ENCRYPT_ACTIONS is aws-cdk-lib\'s grantEncrypt wildcards written out', () => {
    const cdk = cdkPerms();
    expect(cdk.ENCRYPT_ACTIONS).toEqual(expect.arrayContaining(['kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*']));
    expect(expandActions(cdk.ENCRYPT_ACTIONS, 'test')).toEqual(perms.CDK_ENCRYPT_ACTIONS);
  });

  test('CDK_DECRYPT_ACTIONS is aws-cdk-lib\'s grantDecrypt', () => {
    expect(expandActions(cdkPerms().DECRYPT_ACTIONS, 'test')).toEqual(perms.CDK_DECRYPT_ACTIONS);
  });
});

describe('service recipes', () => {
  test('envelope encryption is Decrypt and the two GenerateDataKey variants', () => {
    expect(perms.ENVELOPE_ACTIONS).toEqual([...perms.DECRYPT_ACTIONS, ...perms.GENERATE_DATA_KEY_ACTIONS,
      ...perms.GENERATE_DATA_KEY_WITHOUT_PLAINTEXT_ACTIONS].sort());
  });

  test('CloudWatch Logs gets no DescribeKey (it carries no encryption context, so the log-group condition would never match)', () => {
    expect(perms.CLOUDWATCH_LOGS_ACTIONS).not.toContain('kms:DescribeKey');
  });

  test('the service recipes hold no mutating administrative action; importing and replicating are the administrative jobs', () => {
    const recipes = {
      EBS_ACTIONS: perms.EBS_ACTIONS,
      AUTO_SCALING_EBS_ACTIONS: perms.AUTO_SCALING_EBS_ACTIONS,
      CLOUDWATCH_LOGS_ACTIONS: perms.CLOUDWATCH_LOGS_ACTIONS,
      CLOUDTRAIL_ENCRYPT_ACTIONS: perms.CLOUDTRAIL_ENCRYPT_ACTIONS,
      EVENTBRIDGE_ACTIONS: perms.EVENTBRIDGE_ACTIONS,
      DEPLOY_THROUGH_SERVICE_ACTIONS: perms.DEPLOY_THROUGH_SERVICE_ACTIONS,
    };
    for (const [name, list] of Object.entries(recipes)) {
      expect({ name, admin: list.filter(a => perms.MUTATING_ADMIN_ACTIONS.includes(a)) }).toEqual({ name, admin: [] });
    }
    expect(perms.IMPORT_KEY_MATERIAL_ACTIONS.filter(a => perms.MUTATING_ADMIN_ACTIONS.includes(a))).toEqual(['kms:GetParametersForImport', 'kms:ImportKeyMaterial']);
    expect(perms.REPLICATE_ACTIONS.filter(a => perms.MUTATING_ADMIN_ACTIONS.includes(a))).toEqual(['kms:ReplicateKey']);
  });

  test('CRYPTOGRAPHIC_ACTIONS (what an accepted account-wide statement keeps): every use of a key, DescribeKey, no other administration', () => {
    const use = [...new Set(Object.values(CAPABILITIES).flatMap(info => info.actions))].filter(a => !perms.ADMIN_ACTIONS.includes(a));
    expect(use.filter(a => !perms.CRYPTOGRAPHIC_ACTIONS.includes(a))).toEqual([]);
    expect(perms.CRYPTOGRAPHIC_ACTIONS.filter(a => perms.ADMIN_ACTIONS.includes(a))).toEqual(['kms:DescribeKey']);
  });

  test('the GenerateRandom reason says why Resource "*" is needed', () => {
    expect(perms.GENERATE_RANDOM_ACTIONS).toEqual(['kms:GenerateRandom']);
    expect(perms.GENERATE_RANDOM_REASON).toMatch(/Resource "\*"/);
  });
});
