import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

/** OpenAPI from the route schemas; Swagger UI at /docs and the document at /docs/json. */
export const docsPlugin = fp(
  async (app) => {
    // Before swagger-ui registers its routes: the docs need no token.
    app.addHook('onRoute', (route) => {
      if (route.url.startsWith('/docs')) route.config = { ...route.config, auth: false };
    });
    await app.register(swagger, {
      openapi: {
        info: {
          title: 'spottune API',
          version: '0.1.0',
          description: '3D SpotTune MGMT experiments as a service',
        },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
        security: [{ bearer: [] }],
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });
  },
  { name: 'docs' },
);
