/**
 * GraphiQL at /graphql in a browser, with every script, style and worker inside the page
 * (@graphql-yoga/render-graphiql bundles them), so it works on a machine without internet.
 *
 * The page is served without a token and carries none. In the browser it takes the token the
 * dashboard keeps in local storage (`kubeql.token`), or the `Authorization` header typed in
 * GraphiQL's headers editor: queries send the header, and subscriptions go over our WebSocket
 * with `{ authorization }` in connection_init, read when the connection opens.
 */
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphiQLOptions } from 'graphql-yoga';

/** Where the dashboard keeps its token (dashboard/app.js). */
export const DASHBOARD_TOKEN_KEY = 'kubeql.token';

const DEFAULT_QUERY = `# Kubeql's GraphQL API. The Authorization header comes from the dashboard's sign-in
# (or type it in Headers below: {"Authorization": "Bearer <token>"}).
# The admin token is in $DATA_DIR/admin.token.

query Pods {
  pods {
    revision
    edges { node { metadata { namespace name } status { phase } } }
  }
}

subscription WatchPods {
  watch(kind: Pod) { type revision object { ... on Pod { metadata { name } status { phase } } } }
}
`;

/**
 * Runs in the page before GraphiQL starts: fills in the headers editor from the dashboard's token
 * when GraphiQL has none of its own, and gives the WebSocket connection an `authorization` read
 * at connect time from the headers editor (a getter: graphql-ws serializes connectionParams then).
 */
const BOOT = `
function kubeqlGraphiQLOptions(options) {
  var tokenKey = ${JSON.stringify(DASHBOARD_TOKEN_KEY)};
  function dashboardAuthorization() {
    var token = localStorage.getItem(tokenKey);
    return token ? 'Bearer ' + token : undefined;
  }
  function editorAuthorization() {
    try {
      var headers = JSON.parse(localStorage.getItem('graphiql:headers') || '{}');
      for (var key in headers) if (key.toLowerCase() === 'authorization' && typeof headers[key] === 'string') return headers[key];
    } catch (e) {}
    return undefined;
  }
  var authorization = dashboardAuthorization();
  if (authorization && !editorAuthorization()) {
    options.headers = JSON.stringify({ Authorization: authorization }, null, 2);
  }
  options.connectionParams = {};
  Object.defineProperty(options.connectionParams, 'authorization', {
    enumerable: true,
    get: function () { return editorAuthorization() || dashboardAuthorization(); },
  });
  return options;
}
`;

let page: string | undefined;

/** Yoga's `renderGraphiQL` option: the page, built once (it is ~9 MB). */
export function renderOfflineGraphiQL(yogaOptions: GraphiQLOptions): string {
  if (page) return page;
  const options: GraphiQLOptions = { ...yogaOptions, title: 'Kubeql GraphiQL', subscriptionsProtocol: 'WS', defaultQuery: DEFAULT_QUERY };
  const html = renderGraphiQL(options);
  // The package writes the options as a JSON literal into its start-up call; wrap that literal.
  const literal = JSON.stringify(options);
  const at = html.lastIndexOf(literal);
  if (at < 0) throw new Error('@graphql-yoga/render-graphiql: the options literal was not found in the page');
  const withBoot = `${html.slice(0, at)}kubeqlGraphiQLOptions(${literal})${html.slice(at + literal.length)}`;
  page = withBoot.replace('<script>', () => `<script>${BOOT}</script>\n      <script>`);
  return page;
}
