import { fail } from '../private/validation';

/**
 * An AWS service that uses a key on a principal's behalf, named the way the `kms:ViaService`
 * condition key names it (`<service>.<region>.amazonaws.com`).
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
 */
export class KeyService {
  /** Amazon S3. */
  public static readonly S3 = new KeyService('s3');
  /** Amazon EC2, for EBS volumes and snapshots. */
  public static readonly EC2 = new KeyService('ec2');
  /** Amazon RDS and Aurora. */
  public static readonly RDS = new KeyService('rds');
  /** Amazon Redshift. */
  public static readonly REDSHIFT = new KeyService('redshift');
  /** AWS Systems Manager Parameter Store. */
  public static readonly SSM = new KeyService('ssm');
  /** AWS Secrets Manager. */
  public static readonly SECRETS_MANAGER = new KeyService('secretsmanager');
  /** AWS Lambda (environment variable encryption). */
  public static readonly LAMBDA = new KeyService('lambda');
  /** Amazon DynamoDB. */
  public static readonly DYNAMODB = new KeyService('dynamodb');
  /** Amazon SQS. */
  public static readonly SQS = new KeyService('sqs');
  /** Amazon SNS. */
  public static readonly SNS = new KeyService('sns');
  /** Amazon CloudWatch Logs. */
  public static readonly LOGS = new KeyService('logs');
  /** AWS Backup. */
  public static readonly BACKUP = new KeyService('backup');

  /**
   * A service this class does not list, by the first label of its endpoint
   * (`elasticfilesystem` for `elasticfilesystem.<region>.amazonaws.com`).
   *
   * @param endpointPrefix lowercase letters, digits and hyphens
   */
  public static of(endpointPrefix: string): KeyService {
    if (!/^[a-z][a-z0-9-]{0,62}$/.test(endpointPrefix)) {
      fail(`KeyService.of endpointPrefix must be lowercase letters, digits and hyphens starting with a letter, got '${endpointPrefix}'`);
    }
    return new KeyService(endpointPrefix);
  }

  private constructor(
    /** The first label of the service's endpoint, e.g. `s3`. */
    public readonly endpointPrefix: string,
  ) {}

  /**
   * The `kms:ViaService` value of this service in a Region.
   *
   * @param region a Region name or a token
   */
  public viaService(region: string): string {
    return `${this.endpointPrefix}.${region}.amazonaws.com`;
  }
}
