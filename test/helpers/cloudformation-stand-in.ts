/**
 * A wire-level stand-in for CloudFormation's DescribeStacks (AWS query protocol: form-encoded POST, XML
 * answer), which is all the CLI asks of CloudFormation (`--stage` / `--stack` read the stack's outputs).
 * A stack that was not "deployed" here answers as CloudFormation does: 400 ValidationError
 * "Stack with id … does not exist".
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const xml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export class CloudFormationStandIn {
  private readonly stacks = new Map<string, Record<string, string>>();

  private constructor(
    private readonly server: Server,
    /** Use as `AWS_ENDPOINT_URL_CLOUDFORMATION`. */
    readonly endpoint: string,
  ) {}

  static async start(): Promise<CloudFormationStandIn> {
    let standIn: CloudFormationStandIn | undefined;
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const [status, xml] = standIn?.answer(form, String(req.headers.authorization ?? '')) ?? [500, ''];
      res.writeHead(status, { 'content-type': 'text/xml' }).end(xml);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    standIn = new CloudFormationStandIn(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return standIn;
  }

  /** A stack as `serverless deploy` would leave it: its name and resolved outputs. */
  deploy(name: string, outputs: Record<string, string>): void {
    this.stacks.set(name, outputs);
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((ok) => this.server.close(() => ok()));
  }

  private answer(form: URLSearchParams, authorization: string): [number, string] {
    if (!authorization.startsWith('AWS4-HMAC-SHA256 '))
      return [403, error('Sender', 'MissingAuthenticationToken', 'Request is missing Authentication Token')];
    if (form.get('Action') !== 'DescribeStacks')
      return [400, error('Sender', 'InvalidAction', `${form.get('Action')} is not implemented here`)];
    const name = form.get('StackName') ?? '';
    const outputs = this.stacks.get(name);
    if (!outputs) return [400, error('Sender', 'ValidationError', `Stack with id ${name} does not exist`)];
    const members = Object.entries(outputs)
      .map(
        ([key, value]) =>
          `<member><OutputKey>${xml(key)}</OutputKey><OutputValue>${xml(value)}</OutputValue></member>`,
      )
      .join('');
    return [
      200,
      `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackName>${xml(name)}</StackName><StackId>arn:aws:cloudformation:us-east-1:000000000000:stack/${xml(name)}/offline</StackId><CreationTime>${new Date().toISOString()}</CreationTime><StackStatus>UPDATE_COMPLETE</StackStatus><Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>offline</RequestId></ResponseMetadata></DescribeStacksResponse>`,
    ];
  }
}

function error(type: string, code: string, message: string): string {
  return `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>${type}</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error><RequestId>offline</RequestId></ErrorResponse>`;
}
