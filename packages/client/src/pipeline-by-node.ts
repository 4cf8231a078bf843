import calculateSlot from 'cluster-key-slot';
import type { ChainableCommander, Cluster, Redis } from 'ioredis';

export type PipelineResults = [error: Error | null, reply: unknown][];

/**
 * Runs one single-key command per item in as few round trips as the shape allows, and returns the replies in
 * the items' order. One node: one pipeline. Cluster: ioredis refuses a pipeline whose keys live on different
 * nodes, so the items are grouped by the node that serves their slot (from the client's slot map) and the
 * groups' pipelines run side by side; a group whose slot moved meanwhile gets MOVED, which comes back as an error
 * reply (the slot map is then read again for the caller's retry).
 * Rejects when a pipeline is discarded or cannot be sent (the caller requeues). Knows only ioredis (the consumer
 * client uses it too).
 */
export async function execByNode<T>(
  redis: Redis | Cluster,
  items: readonly T[],
  keyOf: (item: T) => string,
  add: (pipeline: ChainableCommander, item: T) => void,
): Promise<PipelineResults> {
  if (items.length === 0) return [];
  if (!redis.isCluster) {
    const pipeline = redis.pipeline();
    for (const item of items) add(pipeline, item);
    return exec(pipeline);
  }
  const cluster = redis as Cluster;
  const groups = new Map<string, number[]>();
  items.forEach((item, index) => {
    const slot = calculateSlot(keyOf(item));
    // Before the slot map is known every slot is its own group: correct, only slower, and only at start.
    const node = cluster.slots[slot]?.[0] ?? `slot:${slot}`;
    const group = groups.get(node);
    if (group === undefined) groups.set(node, [index]);
    else group.push(index);
  });
  const results: PipelineResults = new Array<[Error | null, unknown]>(items.length);
  await Promise.all(
    [...groups.values()].map(async (indexes) => {
      const pipeline = cluster.pipeline();
      for (const index of indexes) add(pipeline, items[index]);
      const replies = await exec(pipeline);
      indexes.forEach((index, at) => {
        results[index] = replies[at];
      });
    }),
  );
  if (results.some(([error]) => error !== null && REDIRECTED.test(error.message))) {
    // ioredis follows a redirect for a pipeline only when every command got the same one, and a node that went
    // away and came back stays out of its connection pool (its slots then go to a random node) until the slot
    // map is read again: read it now, so the caller's retry is grouped and routed right.
    cluster.refreshSlotsCache();
  }
  return results;
}

const REDIRECTED = /^(MOVED|ASK|CLUSTERDOWN|TRYAGAIN)\b/;

async function exec(pipeline: ChainableCommander): Promise<PipelineResults> {
  const results = await pipeline.exec();
  if (results === null) throw new Error('redis: the pipeline was discarded');
  return results;
}
