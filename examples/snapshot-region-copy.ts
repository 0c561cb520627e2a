/**
 * Disaster recovery copies: EBS, RDS and Aurora snapshots of the primary Region (eu-west-1) are
 * copied into the DR Region (us-east-1) under the DR Region's key, as soon as the primary reports
 * them complete. Two stacks of the security team's account: the forwarder in the primary Region,
 * the copy workflow in the DR Region.
 */
import { Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { EncryptionKey, SnapshotRegionCopy, SnapshotRegionCopyForwarder } from '../src';

/** The primary Region's side: forwards snapshot completion events to the DR Region. */
export class SnapshotForwarderStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps & { readonly drRegion: string }) {
    super(scope, id, props);
    new SnapshotRegionCopyForwarder(this, 'ToDr', { destinationRegion: props.drRegion });
  }
}

/** The DR Region's side: copies every forwarded snapshot under the DR key, keeps 14 copies of each kind. */
export class SnapshotRegionCopyStack extends Stack {
  /** The copy workflow. */
  public readonly copy: SnapshotRegionCopy;

  constructor(scope: Construct, id: string, props: StackProps & { readonly primaryRegion: string }) {
    super(scope, id, props);
    const drKey = new EncryptionKey(this, 'DrSnapshotKey', {
      description: 'Snapshot copies in the DR Region',
      aliases: ['dr/snapshots'],
    });
    this.copy = new SnapshotRegionCopy(this, 'FromPrimary', {
      sourceRegion: props.primaryRegion,
      encryptionKey: drKey,
      keepCopies: 14,
      copyNamePrefix: 'dr-copy',
    });
    // The on-call role may start a copy by hand: { "snapshotType": "RDS_DB_SNAPSHOT", "sourceSnapshotId": "orders-2026-12-01" }
    const onCall = new iam.Role(this, 'OnCall', {
      assumedBy: new iam.AccountRootPrincipal(),
      description: 'Starts snapshot copies into the DR Region on demand',
    });
    this.copy.grantStartExecution(onCall);
    for (const id of ['NIST.800.53.R5-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy']) {
      Validations.of(onCall).acknowledge({ id, reason: 'One inline policy written by grantStartExecution: states:StartExecution on this one state machine' });
    }
  }
}
