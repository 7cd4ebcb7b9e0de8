"""JavaScript and TypeScript handlers (Express, Fastify, Koa, NestJS) and their data access."""
