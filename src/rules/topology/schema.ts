// The MeshTopology schema lives with the topology index (src/topology/schema.ts), which the server and CLI
// use without the rules; the rule family reads it from here like every other family reads its schema.

export * from '../../topology/schema.ts';
