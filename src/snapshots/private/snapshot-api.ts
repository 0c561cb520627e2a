import { Aws } from 'aws-cdk-lib';
import { KeyService } from '../../policy/key-service';

/**
 * The snapshot APIs of each resource type, as Step Functions AWS SDK integrations call them
 * (`arn:aws:states:::aws-sdk:<service>:<operation>`, parameters in PascalCase): operations,
 * parameters, where results are, and the IAM resources and condition keys that scope each call.
 *
 * Step Functions names members as the AWS SDK for Java 2.x does, not as the API reference and
 * botocore do: a leading run of capitals is lower-cased but for its last letter, so RDS's
 * `DBSnapshotIdentifier` is `DbSnapshotIdentifier`, `DBSnapshots` is `DbSnapshots`, while
 * `SourceDBSnapshotIdentifier`, `KmsKeyId` and EC2's `VolumeId` stay as they are. Operation names
 * in the resource ARN keep the API's spelling (`copyDBSnapshot`).
 * Never exported from the package; shared by the share workflows (#13) and the Region copy (#14).
 *
 * Every parameter block here is checked against botocore's service models by the tests
 * (`test/harness/sdk-models.ts`), so a misspelt name fails a test.
 *
 * Paths are JSONPath strings into the state's input (`$.source.id`).
 */

/** The tag every snapshot, volume, instance or cluster a workflow creates carries: the workflow's name. */
export const MADE_BY_TAG = 'cdk-kms-patterns:snapshot-workflow';
/** The tag of a snapshot a workflow creates of a volume, instance or cluster (never deleted by it). */
export const CREATED_BY_TAG = 'cdk-kms-patterns:snapshot-created-by';
/** The tag of a copy naming the snapshot it copies. */
export const COPY_OF_TAG = 'cdk-kms-patterns:copy-of';

/** A JSON object of state parameters. */
export type Params = { [key: string]: unknown };

/** One SDK call: service, operation (lowerCamelCase), IAM action and resources, parameters. */
export interface SdkCall {
  readonly service: string;
  readonly action: string;
  readonly iamAction: string;
  readonly iamResources: string[];
  readonly parameters: Params;
  /** Further IAM statements the call needs (tagging on create). */
  readonly extraActions?: Array<{ readonly actions: string[]; readonly resources: string[]; readonly conditions?: Params }>;
  /** Conditions on the main statement (tags of the resource acted on). */
  readonly conditions?: Params;
}

/** Where the parts of a snapshot are in a describe result, and what its states mean. */
export interface SnapshotFields {
  /** The list in the describe result (`Snapshots`, `DbSnapshots`...). */
  readonly list: string;
  /** The status field of one snapshot. */
  readonly status: string;
  /** Status values meaning "ready". */
  readonly available: string[];
  /** Status values meaning "still being made": keep waiting. */
  readonly pending: string[];
  /** The field saying whether the snapshot is encrypted. */
  readonly encrypted: string;
  /** The key field. */
  readonly kmsKeyId: string;
  /** The identifier field. */
  readonly id: string;
}

/** The snapshot APIs of one resource type. */
export interface SnapshotApi {
  /** `EBS`, `RDS_DB`, `AURORA_CLUSTER`, `REDSHIFT_CLUSTER`. */
  readonly name: string;
  /** The words used in messages (`EBS snapshot`). */
  readonly noun: string;
  /** The Step Functions service name and IAM prefix. */
  readonly service: 'ec2' | 'rds' | 'redshift';
  /** The service that uses the keys (`kms:ViaService`). */
  readonly keyService: KeyService;
  /** How many accounts one snapshot can be shared with. */
  readonly maxShareAccounts: number;
  /** The describe result fields. */
  readonly fields: SnapshotFields;
  /** Copies get a name the workflow chooses (RDS) or an id the service returns (EBS). */
  readonly namedCopies: boolean;
  /** Error names (Step Functions `<Service>.<Exception>`) meaning "the snapshot does not exist". */
  readonly notFoundErrors: string[];
  /** Error names meaning "a copy of that name exists already" (named copies). */
  readonly alreadyExistsErrors: string[];
  /** Error names of quota and copy limits, retried for longer. */
  readonly quotaErrors: string[];
  /** Error names of throttling and the service's generic errors, retried briefly. */
  readonly throttlingErrors: string[];
  /** Where the copy's id is in the copy result (ResultSelector value). */
  readonly copyIdResult: string;
  /** Where the created snapshot's id is in the create result. */
  readonly createIdResult: string;
  /** The ARN of snapshots of an account (`*` patterns allowed in `id`). */
  snapshotArn(region: string, account: string, id: string): string;
  /** Describes one snapshot of this account (or one shared with it, by ARN). */
  describe(idPath: string, shared?: boolean): SdkCall;
  /** Copies a snapshot under a key, tagged; the result path of the new id is `copyIdResult`. */
  copy(options: CopyOptions): SdkCall;
  /** Finds the copies this workflow made of a snapshot (idempotency, EBS): by tags. */
  findCopies?(copyOfPath: string, madeBy: string): SdkCall;
  /** Shares with accounts (`add`) or stops sharing (`remove`). */
  modifyShare(idPath: string, accounts: string[], operation: 'add' | 'remove', madeBy: string): SdkCall;
  /** Deletes a snapshot this workflow made (IAM scoped to its tag). */
  deleteCopy(idPath: string, madeBy: string): SdkCall;
  /** Creates a snapshot of a volume, instance or cluster. */
  create(resourceIdPath: string, snapshotIdPath: string | undefined, resourceArns: string[], madeBy: string): SdkCall;
}

/** Options of a copy. */
export interface CopyOptions {
  /** The source snapshot id (or ARN, for a shared RDS snapshot). */
  readonly sourcePath: string;
  /** The name of the copy (named copies), a path or an intrinsic function. */
  readonly targetNameExpression?: string;
  /** The key ARN of the copy. */
  readonly keyArn: string;
  /** The workflow's name (tag value). */
  readonly madeBy: string;
  /** The Region of the source snapshot (EBS needs it). */
  readonly sourceRegion: string;
  /** The account the source snapshot is in (its ARN scopes the IAM). */
  readonly sourceAccounts: string[];
  /** The Region of the copy (this stack's). */
  readonly region: string;
  /** This stack's account. */
  readonly account: string;
}

/**
 * Step Functions names SDK errors `<Service>.<Java SDK v2 exception class>` (`Rds.DbSnapshotNotFoundException`
 * for RDS's `DBSnapshotNotFoundFault`). EC2's API model declares no error shapes, so every EC2 error
 * (RequestLimitExceeded, ResourceLimitExceeded, InvalidSnapshot.NotFound...) is `Ec2.Ec2Exception`, its
 * code only in the cause: EC2 limits cannot be told apart and get the throttling retries.
 */
const EC2_ERRORS = ['Ec2.Ec2Exception', 'Ec2.SdkClientException'];
const RDS_THROTTLING = ['Rds.RdsException', 'Rds.SdkClientException'];

function tagsEc2(madeBy: string, copyOfPath?: string, tag: string = MADE_BY_TAG): Params[] {
  return [
    { Key: tag, Value: madeBy },
    ...(copyOfPath ? [{ 'Key': COPY_OF_TAG, 'Value.$': copyOfPath }] : []),
  ];
}

/** EBS snapshots (EC2). */
export const EBS_API: SnapshotApi = {
  name: 'EBS',
  noun: 'EBS snapshot',
  service: 'ec2',
  keyService: KeyService.EC2,
  // ModifySnapshotAttribute takes up to 500 changes a call.
  maxShareAccounts: 500,
  fields: { list: 'Snapshots', status: 'State', available: ['completed'], pending: ['pending'], encrypted: 'Encrypted', kmsKeyId: 'KmsKeyId', id: 'SnapshotId' },
  namedCopies: false,
  notFoundErrors: [],
  alreadyExistsErrors: [],
  // No separate quota errors: EC2's arrive as Ec2.Ec2Exception (see EC2_ERRORS).
  quotaErrors: [],
  throttlingErrors: EC2_ERRORS,
  snapshotArn: (region, _account, id) => `arn:${Aws.PARTITION}:ec2:${region}::snapshot/${id}`,
  describe: (idPath, shared) => ({
    service: 'ec2',
    action: 'describeSnapshots',
    iamAction: 'ec2:DescribeSnapshots',
    // DescribeSnapshots has no resource-level permissions.
    iamResources: ['*'],
    // A filter, not SnapshotIds: an unknown id then returns an empty list instead of an error.
    parameters: {
      Filters: [{ 'Name': 'snapshot-id', 'Values.$': `States.Array(${idPath})` }],
      ...(shared ? { RestorableByUserIds: ['self'] } : { OwnerIds: ['self'] }),
    },
  }),
  copy: (o) => ({
    service: 'ec2',
    action: 'copySnapshot',
    iamAction: 'ec2:CopySnapshot',
    iamResources: [EBS_API.snapshotArn(o.sourceRegion, '', '*')],
    parameters: {
      'SourceRegion': o.sourceRegion,
      'SourceSnapshotId.$': o.sourcePath,
      'Encrypted': true,
      'KmsKeyId': o.keyArn,
      'Description.$': `States.Format('Copy of {} made by ${o.madeBy}', ${o.sourcePath})`,
      'TagSpecifications': [{ ResourceType: 'snapshot', Tags: tagsEc2(o.madeBy, o.sourcePath) }],
    },
    extraActions: [{
      actions: ['ec2:CreateTags'],
      resources: [EBS_API.snapshotArn(o.region, '', '*')],
      conditions: { StringEquals: { 'ec2:CreateAction': 'CopySnapshot' } },
    }],
  }),
  copyIdResult: '$.SnapshotId',
  findCopies: (copyOfPath, madeBy) => ({
    service: 'ec2',
    action: 'describeSnapshots',
    iamAction: 'ec2:DescribeSnapshots',
    iamResources: ['*'],
    parameters: {
      OwnerIds: ['self'],
      Filters: [
        { 'Name': `tag:${COPY_OF_TAG}`, 'Values.$': `States.Array(${copyOfPath})` },
        { Name: `tag:${MADE_BY_TAG}`, Values: [madeBy] },
      ],
    },
  }),
  modifyShare: (idPath, accounts, operation, madeBy) => ({
    service: 'ec2',
    action: 'modifySnapshotAttribute',
    iamAction: 'ec2:ModifySnapshotAttribute',
    iamResources: [`arn:${Aws.PARTITION}:ec2:${Aws.REGION}::snapshot/*`],
    conditions: { StringEquals: { [`aws:ResourceTag/${MADE_BY_TAG}`]: madeBy } },
    parameters: {
      'SnapshotId.$': idPath,
      'Attribute': 'createVolumePermission',
      'OperationType': operation,
      'UserIds': accounts,
    },
  }),
  deleteCopy: (idPath, madeBy) => ({
    service: 'ec2',
    action: 'deleteSnapshot',
    iamAction: 'ec2:DeleteSnapshot',
    iamResources: [`arn:${Aws.PARTITION}:ec2:${Aws.REGION}::snapshot/*`],
    conditions: { StringEquals: { [`aws:ResourceTag/${MADE_BY_TAG}`]: madeBy } },
    parameters: { 'SnapshotId.$': idPath },
  }),
  create: (resourceIdPath, _snapshotIdPath, resourceArns, madeBy) => ({
    service: 'ec2',
    action: 'createSnapshot',
    iamAction: 'ec2:CreateSnapshot',
    iamResources: [...resourceArns, `arn:${Aws.PARTITION}:ec2:${Aws.REGION}::snapshot/*`],
    parameters: {
      'VolumeId.$': resourceIdPath,
      'Description': `Made by ${madeBy}`,
      'TagSpecifications': [{ ResourceType: 'snapshot', Tags: tagsEc2(madeBy, undefined, CREATED_BY_TAG) }],
    },
    extraActions: [{
      actions: ['ec2:CreateTags'],
      resources: [`arn:${Aws.PARTITION}:ec2:${Aws.REGION}::snapshot/*`],
      conditions: { StringEquals: { 'ec2:CreateAction': 'CreateSnapshot' } },
    }],
  }),
  createIdResult: '$.SnapshotId',
};

function rdsTags(madeBy: string, copyOfPath?: string): Params[] {
  return tagsEc2(madeBy, copyOfPath);
}

interface RdsFlavour {
  readonly name: string;
  readonly noun: string;
  /** `DBSnapshot` or `DBClusterSnapshot` (API names: operations and IAM actions). */
  readonly api: 'DBSnapshot' | 'DBClusterSnapshot';
  /** The same as Step Functions names members and results: `DbSnapshot` or `DbClusterSnapshot`. */
  readonly member: 'DbSnapshot' | 'DbClusterSnapshot';
  /** ARN resource type: `snapshot` or `cluster-snapshot`. */
  readonly arnType: string;
  /** The snapshot identifier as Step Functions names it (`DbSnapshotIdentifier`). */
  readonly idParam: string;
  /** The copy's source and target identifiers (`SourceDBSnapshotIdentifier`: not a leading capital run, unchanged). */
  readonly sourceIdParam: string;
  readonly targetIdParam: string;
  readonly encrypted: string;
  readonly resourceArnType: string;
  readonly resourceIdParam: string;
  readonly notFound: string;
  readonly alreadyExists: string;
  readonly quota: string;
}

function rdsApi(f: RdsFlavour): SnapshotApi {
  const arn = (region: string, account: string, id: string) => `arn:${Aws.PARTITION}:rds:${region}:${account}:${f.arnType}:${id}`;
  const copyAction = `copy${f.api}`;
  const lower = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
  const api: SnapshotApi = {
    name: f.name,
    noun: f.noun,
    service: 'rds',
    keyService: KeyService.RDS,
    // "You can share a manual DB snapshot with up to 20 other AWS accounts."
    maxShareAccounts: 20,
    fields: {
      list: `${f.member}s`,
      status: 'Status',
      available: ['available'],
      pending: ['creating', 'copying', 'pending'],
      encrypted: f.encrypted,
      kmsKeyId: 'KmsKeyId',
      id: f.idParam,
    },
    namedCopies: true,
    notFoundErrors: [f.notFound],
    alreadyExistsErrors: [f.alreadyExists],
    quotaErrors: [f.quota],
    throttlingErrors: RDS_THROTTLING,
    snapshotArn: arn,
    describe: (idPath, shared) => ({
      service: 'rds',
      action: lower(`describe${f.api}s`),
      iamAction: `rds:Describe${f.api}s`,
      iamResources: [arn(Aws.REGION, shared ? '*' : Aws.ACCOUNT_ID, '*')],
      parameters: {
        [`${f.idParam}.$`]: idPath,
        ...(shared ? { IncludeShared: true } : {}),
      },
    }),
    copy: (o) => ({
      service: 'rds',
      action: lower(copyAction),
      iamAction: `rds:Copy${f.api}`,
      iamResources: [
        ...o.sourceAccounts.map((a) => arn(o.sourceRegion, a, '*')),
        arn(o.region, o.account, 'share-*'),
      ],
      parameters: {
        [`${f.sourceIdParam}.$`]: o.sourcePath,
        [`${f.targetIdParam}.$`]: o.targetNameExpression,
        KmsKeyId: o.keyArn,
        Tags: rdsTags(o.madeBy, o.sourcePath),
      },
      extraActions: [{ actions: ['rds:AddTagsToResource'], resources: [arn(o.region, o.account, 'share-*')] }],
    }),
    copyIdResult: `$.${f.member}.${f.idParam}`,
    modifyShare: (idPath, accounts, operation) => ({
      service: 'rds',
      action: lower(`modify${f.api}Attribute`),
      iamAction: `rds:Modify${f.api}Attribute`,
      // Only the copies the workflow names share-...
      iamResources: [arn(Aws.REGION, Aws.ACCOUNT_ID, 'share-*')],
      parameters: {
        [`${f.idParam}.$`]: idPath,
        AttributeName: 'restore',
        [operation === 'add' ? 'ValuesToAdd' : 'ValuesToRemove']: accounts,
      },
    }),
    deleteCopy: (idPath, madeBy) => ({
      service: 'rds',
      action: lower(`delete${f.api}`),
      iamAction: `rds:Delete${f.api}`,
      iamResources: [arn(Aws.REGION, Aws.ACCOUNT_ID, 'share-*')],
      conditions: { StringEquals: { [`aws:ResourceTag/${MADE_BY_TAG}`]: madeBy } },
      parameters: { [`${f.idParam}.$`]: idPath },
    }),
    create: (resourceIdPath, snapshotIdPath, resourceArns, madeBy) => ({
      service: 'rds',
      action: lower(`create${f.api}`),
      iamAction: `rds:Create${f.api}`,
      iamResources: [...resourceArns, arn(Aws.REGION, Aws.ACCOUNT_ID, 'snapshot-*')],
      parameters: {
        [`${f.resourceIdParam}.$`]: resourceIdPath,
        [`${f.idParam}.$`]: snapshotIdPath,
        Tags: tagsEc2(madeBy, undefined, CREATED_BY_TAG),
      },
      extraActions: [{ actions: ['rds:AddTagsToResource'], resources: [arn(Aws.REGION, Aws.ACCOUNT_ID, 'snapshot-*')] }],
    }),
    createIdResult: `$.${f.member}.${f.idParam}`,
  };
  return api;
}

/** RDS DB snapshots. */
export const RDS_DB_API = rdsApi({
  name: 'RDS_DB',
  noun: 'RDS DB snapshot',
  api: 'DBSnapshot',
  member: 'DbSnapshot',
  arnType: 'snapshot',
  idParam: 'DbSnapshotIdentifier',
  sourceIdParam: 'SourceDBSnapshotIdentifier',
  targetIdParam: 'TargetDBSnapshotIdentifier',
  encrypted: 'Encrypted',
  resourceArnType: 'db',
  resourceIdParam: 'DbInstanceIdentifier',
  notFound: 'Rds.DbSnapshotNotFoundException',
  alreadyExists: 'Rds.DbSnapshotAlreadyExistsException',
  quota: 'Rds.SnapshotQuotaExceededException',
});

/** Aurora DB cluster snapshots. */
export const AURORA_CLUSTER_API = rdsApi({
  name: 'AURORA_CLUSTER',
  noun: 'Aurora DB cluster snapshot',
  api: 'DBClusterSnapshot',
  member: 'DbClusterSnapshot',
  arnType: 'cluster-snapshot',
  idParam: 'DbClusterSnapshotIdentifier',
  sourceIdParam: 'SourceDBClusterSnapshotIdentifier',
  targetIdParam: 'TargetDBClusterSnapshotIdentifier',
  encrypted: 'StorageEncrypted',
  resourceArnType: 'cluster',
  resourceIdParam: 'DbClusterIdentifier',
  notFound: 'Rds.DbClusterSnapshotNotFoundException',
  alreadyExists: 'Rds.DbClusterSnapshotAlreadyExistsException',
  quota: 'Rds.SnapshotQuotaExceededException',
});

/**
 * Redshift (provisioned cluster) snapshots. Redshift has no copy that re-encrypts a snapshot under
 * another key (`CopyClusterSnapshot` turns an automated snapshot into a manual one under the same
 * key), and the accounts it is shared with "can only describe or restore" it, "they cannot copy or
 * delete" it (https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-snapshot-share-snapshot.html).
 * So the share workflows share the manual snapshot itself (only when it is under the shareable key)
 * with `AuthorizeSnapshotAccess`, one account a call (at most 20 a snapshot, 100 a KMS key), and
 * the target restores a cluster from it under its own key (`RestoreFromClusterSnapshot` with
 * `KmsKeyId`). `copy` is never called for Redshift: it throws.
 *
 * Snapshot ARNs are `arn:<partition>:redshift:<region>:<account>:snapshot:<cluster>/<snapshot>`.
 */
const REDSHIFT_THROTTLING = ['Redshift.RedshiftException', 'Redshift.SdkClientException', 'Redshift.DependentServiceRequestThrottlingException'];

function redshiftArn(region: string, account: string, type: 'snapshot' | 'cluster', id: string): string {
  return `arn:${Aws.PARTITION}:redshift:${region}:${account}:${type}:${id}`;
}

/** Redshift snapshot sharing: authorizes (`add`) or revokes (`remove`) one account, by path or literal. */
export function redshiftSnapshotAccess(idPath: string, account: { path?: string; literal?: string }, operation: 'add' | 'remove'): SdkCall {
  const action = operation === 'add' ? 'AuthorizeSnapshotAccess' : 'RevokeSnapshotAccess';
  return {
    service: 'redshift',
    action: action.charAt(0).toLowerCase() + action.slice(1),
    iamAction: `redshift:${action}`,
    // The snapshots of this account (the workflow is started with one; it names the accounts).
    iamResources: [redshiftArn(Aws.REGION, Aws.ACCOUNT_ID, 'snapshot', '*/*')],
    parameters: {
      'SnapshotIdentifier.$': idPath,
      ...(account.path ? { 'AccountWithRestoreAccess.$': account.path } : { AccountWithRestoreAccess: account.literal }),
    },
  };
}

/** Redshift cluster snapshots. */
export const REDSHIFT_CLUSTER_API: SnapshotApi = {
  name: 'REDSHIFT_CLUSTER',
  noun: 'Redshift cluster snapshot',
  service: 'redshift',
  keyService: KeyService.REDSHIFT,
  // "You can authorize up to 20 for each snapshot and 100 for each AWS KMS key."
  maxShareAccounts: 20,
  fields: {
    list: 'Snapshots',
    status: 'Status',
    available: ['available'],
    pending: ['creating'],
    encrypted: 'Encrypted',
    kmsKeyId: 'KmsKeyId',
    id: 'SnapshotIdentifier',
  },
  namedCopies: true,
  notFoundErrors: ['Redshift.ClusterSnapshotNotFoundException'],
  alreadyExistsErrors: ['Redshift.ClusterSnapshotAlreadyExistsException'],
  quotaErrors: ['Redshift.ClusterSnapshotQuotaExceededException'],
  throttlingErrors: REDSHIFT_THROTTLING,
  snapshotArn: (region, account, id) => redshiftArn(region, account, 'snapshot', id),
  // Shared: the owner's account is in the share event (`$.share.sourceAccount`). Own: this account,
  // always named: without OwnerAccount the answer may also hold a snapshot of the same name shared
  // with this account by another ("To describe snapshots you own, either specify your AWS account,
  // or do not specify the parameter"; shared snapshots are listed too unless filtered:
  // https://docs.aws.amazon.com/redshift/latest/APIReference/API_DescribeClusterSnapshots.html).
  describe: (idPath, shared) => ({
    service: 'redshift',
    action: 'describeClusterSnapshots',
    iamAction: 'redshift:DescribeClusterSnapshots',
    iamResources: [redshiftArn(Aws.REGION, shared ? '*' : Aws.ACCOUNT_ID, 'snapshot', '*/*')],
    parameters: {
      'SnapshotIdentifier.$': idPath,
      ...(shared ? { 'OwnerAccount.$': '$.share.sourceAccount' } : { OwnerAccount: Aws.ACCOUNT_ID }),
    },
  }),
  copy: () => {
    throw new Error('Redshift snapshots cannot be copied under another key (recipients restore them)');
  },
  copyIdResult: '$.Snapshot.SnapshotIdentifier',
  modifyShare: (idPath, accounts, operation) => {
    if (accounts.length !== 1) throw new Error('Redshift shares a snapshot with one account a call');
    return redshiftSnapshotAccess(idPath, { literal: accounts[0] }, operation);
  },
  deleteCopy: (idPath, madeBy) => ({
    service: 'redshift',
    action: 'deleteClusterSnapshot',
    iamAction: 'redshift:DeleteClusterSnapshot',
    iamResources: [redshiftArn(Aws.REGION, Aws.ACCOUNT_ID, 'snapshot', '*/*')],
    conditions: { StringEquals: { [`aws:ResourceTag/${MADE_BY_TAG}`]: madeBy } },
    parameters: { 'SnapshotIdentifier.$': idPath },
  }),
  create: (resourceIdPath, snapshotIdPath, resourceArns, madeBy) => ({
    service: 'redshift',
    action: 'createClusterSnapshot',
    iamAction: 'redshift:CreateClusterSnapshot',
    iamResources: [...resourceArns, redshiftArn(Aws.REGION, Aws.ACCOUNT_ID, 'snapshot', '*/snapshot-*')],
    parameters: {
      'ClusterIdentifier.$': resourceIdPath,
      'SnapshotIdentifier.$': snapshotIdPath,
      'Tags': tagsEc2(madeBy, undefined, CREATED_BY_TAG),
    },
    extraActions: [{ actions: ['redshift:CreateTags'], resources: [redshiftArn(Aws.REGION, Aws.ACCOUNT_ID, 'snapshot', '*/snapshot-*')] }],
  }),
  createIdResult: '$.Snapshot.SnapshotIdentifier',
};

/**
 * The clusters a Redshift target restores, described like snapshots so the same capped backoff
 * wait applies (`DescribeClusters`, `ClusterStatus`). Never shared, copied or created by it.
 */
export const REDSHIFT_RESTORED_CLUSTER: SnapshotApi = {
  ...REDSHIFT_CLUSTER_API,
  noun: 'restored Redshift cluster',
  fields: {
    list: 'Clusters',
    status: 'ClusterStatus',
    available: ['available'],
    // While restoring; a status such as incompatible-restore ends the wait as a failure.
    pending: ['creating', 'modifying', 'rebooting', 'resizing', 'renaming'],
    encrypted: 'Encrypted',
    kmsKeyId: 'KmsKeyId',
    id: 'ClusterIdentifier',
  },
  notFoundErrors: ['Redshift.ClusterNotFoundException'],
  describe: (idPath) => ({
    service: 'redshift',
    action: 'describeClusters',
    iamAction: 'redshift:DescribeClusters',
    iamResources: [redshiftArn(Aws.REGION, Aws.ACCOUNT_ID, 'cluster', 'share-*')],
    parameters: { 'ClusterIdentifier.$': idPath },
  }),
};

/** The ARN of a volume, DB instance or cluster that a workflow may snapshot. */
export function sourceResourceArn(api: SnapshotApi, id: string): string {
  if (api.service === 'ec2') return `arn:${Aws.PARTITION}:ec2:${Aws.REGION}:${Aws.ACCOUNT_ID}:volume/${id}`;
  if (api.service === 'redshift') return `arn:${Aws.PARTITION}:redshift:${Aws.REGION}:${Aws.ACCOUNT_ID}:cluster:${id}`;
  const type = api.name === 'RDS_DB' ? 'db' : 'cluster';
  return `arn:${Aws.PARTITION}:rds:${Aws.REGION}:${Aws.ACCOUNT_ID}:${type}:${id}`;
}
