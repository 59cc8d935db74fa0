import { memoryGauges } from './memoryGauges.ts';

/**
 * Prometheus text exposition for `/metrics`. Counts and gauges only: no user, device or
 * group identifiers ever appear here.
 */
export class Metrics {
  connections = 0;
  pushed = 0;
  readonly httpResponses = new Map<string, number>();

  countResponse(status: number): void {
    const cls = `${Math.floor(status / 100)}xx`;
    this.httpResponses.set(cls, (this.httpResponses.get(cls) ?? 0) + 1);
  }

  /** Renders every metric; `values` are read at scrape time from their owners. */
  render(values: {
    accepted: number;
    enqueued: number;
    queueDepth: number;
    queueBytes: number;
    refused: number;
    users: number;
    devices: number;
    groups: number;
    batches: number;
    batchedJobs: number;
    version: string;
  }): string {
    const lines: string[] = [];
    // The usual Prometheus way to expose a version: a constant 1 with the version as a label.
    lines.push(
      '# HELP foyer_build_info The running Foyer version.',
      '# TYPE foyer_build_info gauge',
    );
    lines.push(`foyer_build_info{version="${values.version.replace(/["\\\n]/g, '')}"} 1`);
    const metric = (name: string, type: string, help: string, value: number, labels = ''): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name}${labels} ${value}`);
    };
    metric('foyer_connections', 'gauge', 'Open WebSocket connections.', this.connections);
    metric(
      'foyer_messages_accepted_total',
      'counter',
      'Messages accepted by hubs.',
      values.accepted,
    );
    metric(
      'foyer_mailbox_enqueued_total',
      'counter',
      'Items put into device mailboxes.',
      values.enqueued,
    );
    metric('foyer_mailbox_pushed_total', 'counter', 'Items pushed over WebSockets.', this.pushed);
    metric('foyer_mailbox_depth', 'gauge', 'Items waiting in all mailboxes.', values.queueDepth);
    metric(
      'foyer_mailbox_bytes',
      'gauge',
      'Payload bytes waiting in all mailboxes.',
      values.queueBytes,
    );
    metric(
      'foyer_mailbox_refused_total',
      'counter',
      'Messages refused because a recipient mailbox was full.',
      values.refused,
    );
    metric('foyer_users', 'gauge', 'Accounts on this instance.', values.users);
    metric('foyer_devices', 'gauge', 'Live devices on this instance.', values.devices);
    metric('foyer_groups', 'gauge', 'Groups whose hub is this instance.', values.groups);
    metric('foyer_write_batches_total', 'counter', 'Durable write transactions.', values.batches);
    metric(
      'foyer_write_jobs_total',
      'counter',
      'Writes grouped into those transactions.',
      values.batchedJobs,
    );
    let last = '';
    for (const g of memoryGauges()) {
      if (g.name !== last) lines.push(`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} gauge`);
      last = g.name;
      lines.push(`${g.name}${g.labels} ${g.value}`);
    }
    lines.push('# HELP foyer_http_responses_total HTTP responses by status class.');
    lines.push('# TYPE foyer_http_responses_total counter');
    for (const [cls, n] of this.httpResponses)
      lines.push(`foyer_http_responses_total{class="${cls}"} ${n}`);
    return `${lines.join('\n')}\n`;
  }
}
