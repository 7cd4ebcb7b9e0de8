"""The backend review of JavaScript, TypeScript, Go and schema.prisma files: what they share
(project manifests, the schema they declare, index proofs); js/ and golang/ read the code."""
