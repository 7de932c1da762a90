// A client generated from /openapi.json: the paths, parameters and reply types below come
// from build/schema.d.ts (openapi-typescript); a typo in a path, a parameter name or a reply
// member does not compile. Run: BASE_URL=... NM_KEY=... node build/client.js
import createClient from "openapi-fetch";
import type { paths, components } from "./build/schema.js";

type Creator = components["schemas"]["Creator"];

const baseUrl = process.env.BASE_URL;
const key = process.env.NM_KEY;
if (!baseUrl || !key) throw new Error("BASE_URL and NM_KEY are required");

const client = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${key}` } });

async function main(): Promise<void> {
  const created = await client.POST("/v1/creators", {
    body: { platform: "instagram", handle: "generated_client", followers: 42000, categories: ["fitness"] },
  });
  if (created.error || !created.data) throw new Error(`create failed: ${JSON.stringify(created.error)}`);
  const id: number = created.data.id;

  const page = await client.GET("/v1/creators", {
    params: { query: { limit: 10, min_followers: 40000, platform: "instagram" } },
  });
  if (page.error || !page.data) throw new Error(`list failed: ${JSON.stringify(page.error)}`);
  const creators: Creator[] = page.data.data;
  const handles = creators.map((c) => c.handle);
  if (!handles.includes("generated_client")) throw new Error(`created creator not listed: ${handles}`);

  const one = await client.GET("/v1/creators/{id}", { params: { path: { id } } });
  if (one.error || !one.data) throw new Error(`get failed: ${JSON.stringify(one.error)}`);

  // A problem reply is typed too: an unknown filter is refused, not ignored.
  const bad = await client.GET("/v1/creators", {
    // @ts-expect-error min_follower is not a parameter of listCreators
    params: { query: { min_follower: 5 } },
  });
  if (!bad.error || bad.response.status !== 400) throw new Error("an unknown parameter was accepted");

  console.log(JSON.stringify({ listed: handles.length, next_cursor: page.data.next_cursor, tier: one.data.tier }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
