/**
 * SECRETLINT_COVERAGE (lib/detect/catalogue/secretlint-coverage.ts) holds what it claims: for every message
 * id of secretlint's recommended preset it calls covered, a fake sample of ours in that message's format
 * and context, scanned with builtin:default, loses its secret to one of the detectors named. The secret
 * part of a sample is marked ⟦…⟧. Failure messages name the rule, message and detector ids, never a sample.
 */
import { assert } from 'chai';
import { SECRETLINT_COMMIT, SECRETLINT_COVERAGE } from '../../lib/detect/catalogue/secretlint-coverage.ts';
import { checkCoverageTable } from '../helpers/coverage-table.ts';

/**
 * One sample per covered message id, keyed `rule:messageId`; all values fake and generated for this
 * project (never secretlint's test fixtures). Tokens with a prefix of their own stand in a plain log line;
 * the others in the context the rule looks at (a key name, a URL, an .npmrc line, a JSON key file).
 */
const SAMPLES: Readonly<Record<string, string>> = {
  '@secretlint/secretlint-rule-aws:AWSAccessKeyID': '2026-01-01 INFO upload using ⟦AKIAICLTRTFXIF34J3TL⟧ done',
  '@secretlint/secretlint-rule-aws:AWSSecretAccessKey': 'AWS_SECRET_ACCESS_KEY="⟦I4qYeY7e5a4vMLGJQH1ip3xoMlPuLK7fjc+1okaC⟧"',
  '@secretlint/secretlint-rule-aws:AWSAccountID': 'aws_account_id = "⟦4821-0937-5516⟧"',
  '@secretlint/secretlint-rule-gcp:PrivateKeyJSON': '{"type": "service_account", "project_id": "demo-4411", "private_key_id": "be18d4a17c7bde4f5da8f7862415829a791a75b3", "private_key": "-----BEGIN PRIVATE KEY-----\\n⟦M7Dc/D4FtEVViFjg/Y69O9nBWuhCEfHXnkdtbZi5CWjlDk+Hhu+4HiHFsePnB5DC\nz4bbenqFGX0w6k3TSuUVApWjO0xWQ9N16e360bGYgtaiBl2GR1F35l5ADHN0V3IN\n/SrMhZcYT7tG6EjUJ7R+YQAuk+lSktjNfGKIDqzevks/HJ3mRvuBpnBEuKlcwvJj⟧\\n-----END PRIVATE KEY-----\\n", "client_email": "ci@demo-4411.iam.gserviceaccount.com"}',
  '@secretlint/secretlint-rule-privatekey:PrivateKey': '-----BEGIN EC PRIVATE KEY-----\n⟦M7Dc/D4FtEVViFjg/Y69O9nBWuhCEfHXnkdtbZi5CWjlDk+Hhu+4HiHFsePnB5DC\nz4bbenqFGX0w6k3TSuUVApWjO0xWQ9N16e360bGYgtaiBl2GR1F35l5ADHN0V3IN\n/SrMhZcYT7tG6EjUJ7R+YQAuk+lSktjNfGKIDqzevks/HJ3mRvuBpnBEuKlcwvJj⟧\n-----END EC PRIVATE KEY-----',
  '@secretlint/secretlint-rule-npm:PackageJSON_xOauthToken': '"repository": {"type": "git", "url": "git+https://⟦be18d4a17c7bde4f5da8f7862415829a791a75b3⟧:x-oauth-basic@github.com/acme/widgets.git"}',
  '@secretlint/secretlint-rule-npm:Npmrc_authToken': '//registry.npmjs.org/:_authToken=⟦01c9dfd2-9486-d6d6-0c81-0a4da60d1639⟧',
  '@secretlint/secretlint-rule-npm:NPM_ACCESS_TOKEN': '2026-01-01 INFO upload using ⟦npm_CdPAgbuHnto47f2Fenigor4qsdtx3Wq2sQgO⟧ done',
  '@secretlint/secretlint-rule-basicauth:BasicAuth': 'fetching https://deploy:⟦IOX3vPTEd5DsmMrz⟧@artifacts.acme-corp.net/releases/app.tgz',
  '@secretlint/secretlint-rule-slack:SLACK_TOKEN': '2026-01-01 INFO upload using ⟦xoxb-871332169430-0470599350202-sNmcQXUKHufem8s6TeHwoTvD⟧ done',
  '@secretlint/secretlint-rule-slack:IncomingWebhook': '2026-01-01 INFO upload using ⟦https://hooks.slack.com/services/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⟧ done',
  '@secretlint/secretlint-rule-sendgrid:SENDGRID_KEY': '2026-01-01 INFO upload using ⟦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⟧ done',
  '@secretlint/secretlint-rule-shopify:SHOPIFY_KEY': '2026-01-01 INFO upload using ⟦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⟧ done',
  '@secretlint/secretlint-rule-github:GITHUB_TOKEN': '2026-01-01 INFO upload using ⟦ghp_e9Vnq7gu2x3QFdaLGEJGUuMWGhuW0U76AWxQ⟧ done',
  '@secretlint/secretlint-rule-gitlab:GITLAB_PERSONAL_ACCESS_TOKEN': '2026-01-01 INFO upload using ⟦glpat--giYizYpDEKt4wdTl4wx⟧ done',
  '@secretlint/secretlint-rule-grafana:GRAFANA_CLOUD_API_TOKEN': '2026-01-01 INFO upload using ⟦glc_eyJEv4nW5lx+6uFVv08/SYjSTFobwjYgjrxb9M/LoDOGsRZOyWYKOtTKWIpiF+BaxmtQSWYgLLwhVjTwQ+2=⟧ done',
  '@secretlint/secretlint-rule-grafana:GRAFANA_SERVICE_ACCOUNT_TOKEN': '2026-01-01 INFO upload using ⟦glsa_nUmQSI7cseZMl8kLx5uvo8QCUl1mRKFW_b6328740⟧ done',
  '@secretlint/secretlint-rule-openai:OPENAI_TOKEN': '2026-01-01 INFO upload using ⟦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⟧ done',
  '@secretlint/secretlint-rule-anthropic:ANTHROPIC_API_KEY': '2026-01-01 INFO upload using ⟦sk-ant-api03-rvecmsFYh954TBHUyiEevKTTinVH-kzsnpDrDU1Se4JUhaexBtpubYNedmw1lebqrcn3xHHRsXBIAjEut7RRRri3UY6DfAA⟧ done',
  '@secretlint/secretlint-rule-groq:GROQ_API_KEY': '2026-01-01 INFO upload using ⟦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⟧ done',
  '@secretlint/secretlint-rule-huggingface:HUGGINGFACE_USER_ACCESS_TOKEN': '2026-01-01 INFO upload using ⟦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⟧ done',
  '@secretlint/secretlint-rule-linear:LINEAR_API_TOKEN': '2026-01-01 INFO upload using ⟦lin_api_n7Vxu6BOhPJ71MjGjWRrJRWGA4PKHed950hqOZII⟧ done',
  '@secretlint/secretlint-rule-notion:NOTION_INTEGRATION_TOKEN': '2026-01-01 INFO upload using ⟦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⟧ done',
  '@secretlint/secretlint-rule-1password:OPS_TOKEN': 'OP_SERVICE_ACCOUNT_TOKEN=⟦ops_eyJlbWFpbCI6InpxdW1wbTA4aHNlOEAxcGFzc3dvcmRzZXJ2aWNlYWNjb3VudHMuZXhhbXBsZSIsIm11ayI6eyJhbGciOiJBMjU2R0NNIiwiZXh0Ijp0cnVlLCJrIjoiSk5wakpPUUdhMnJiMTlGbFkwbUcxeWx2dWhmSlhxSUVub21lZjJtU0o1QyIsImtpZCI6Im1wIn0sInNlY3JldEtleSI6IkEzLThFR05WRi1HM0Y4R1IiLCJzcnBYIjoiZTNiMWM3N2ZjNGMwMTFmMWJkMzhmMWYzNDkyMGZiZDAxZjQwMDcyZTNjZjM0Nzg2MjU1NDAxN2NkZjgzZmQ5OCIsInNpZ25JbkFkZHJlc3MiOiJhY21lLjFwYXNzd29yZC5leGFtcGxlIn0=⟧',
  '@secretlint/secretlint-rule-database-connection-string:MongoDBConnection': 'MONGO_URL=mongodb+srv://reporting:⟦4KW5ImEKiBnvHyfUgK⟧@cluster7.q4xzt.mongodb.net/orders?retryWrites=true',
  '@secretlint/secretlint-rule-database-connection-string:MySQLConnection': 'jdbc:mysql://etl:⟦hJiEBLzG4P1TUc⟧@mysql-primary.acme-corp.net:3306/billing',
  '@secretlint/secretlint-rule-database-connection-string:PostgreSQLConnection': 'postgresql://app:⟦s2HGloUqEAEc9u3YlRsX⟧@pg.acme-corp.net:5432/orders?sslmode=require',
  '@secretlint/secretlint-rule-hashicorp-vault:HASHICORP_VAULT_SERVICE_TOKEN': '2026-01-01 INFO upload using ⟦hvs.ZoSyAtAS0iDuwu2pwPD7LWTbjnwlIQKUJVLmti494z_437b__fCbpeJ6prZJL43R8Tar77WrSACjxaygHJTxOGHxB7byBvFaJuAM⟧ done',
  '@secretlint/secretlint-rule-hashicorp-vault:HASHICORP_VAULT_BATCH_TOKEN': '2026-01-01 INFO upload using ⟦hvb.AAAAAQggS51yxIDV_kY_32cfdXbaVx_nxoFmL6jm8TMGiTjedYeulb_cTgfi7dJz54T4RmI0o_WGzm3NSQGYeMPotQ1VLaRwC_OV6rqtcGCl3uQeyK5VSejBqKLVka8jZUpsHRnczKbio6HHFnfIW7JC6ieG⟧ done',
  '@secretlint/secretlint-rule-hashicorp-vault:HASHICORP_VAULT_RECOVERY_TOKEN': '2026-01-01 INFO upload using ⟦hvr.Fwo5WeTQK6x46BtT-uPB6H6YW1AkeWrQwm2hE6U1yOq-MArUaDKmVPURej7HpAZfdj16EvEC__Ro-97xwkPqQE8kH6_lF_m⟧ done',
  '@secretlint/secretlint-rule-vercel:VERCEL_PERSONAL_ACCESS_TOKEN': '2026-01-01 INFO upload using ⟦vcp_WpCXGikofPbrLE15JW7dP2XHBlxJX1Bmxzd5HgEJ⟧ done',
  '@secretlint/secretlint-rule-vercel:VERCEL_INTEGRATION_TOKEN': '2026-01-01 INFO upload using ⟦vci_G1BQWBxLu0LUBg6knsLXxcaQgffmUeqtLqwKrKxl⟧ done',
  '@secretlint/secretlint-rule-vercel:VERCEL_APP_ACCESS_TOKEN': '2026-01-01 INFO upload using ⟦vca_4lWmBXBNcbs3dx4prrntWMvQtevLstTWsiSCZYjE⟧ done',
  '@secretlint/secretlint-rule-vercel:VERCEL_APP_REFRESH_TOKEN': '2026-01-01 INFO upload using ⟦vcr_ypYRGMARZYuSBaH5PVQNtvL7XItizAAbFKH6o0Rj⟧ done',
  '@secretlint/secretlint-rule-vercel:VERCEL_AI_GATEWAY_API_KEY': '2026-01-01 INFO upload using ⟦vck_3zBGOOhwErL558suRoQjLGVT9JctZW1QwDWkG1iB⟧ done',
  '@secretlint/secretlint-rule-databricks:DATABRICKS_PERSONAL_ACCESS_TOKEN': '2026-01-01 INFO upload using ⟦dapi3fb2f0e2dfe4ff2757ab177bd73e6921⟧ done',
  '@secretlint/secretlint-rule-docker:DOCKER_PERSONAL_ACCESS_TOKEN': '2026-01-01 INFO upload using ⟦dckr_pat_V1EW89tL9iRoVf2_UxIwjcy5_AC⟧ done',
  '@secretlint/secretlint-rule-figma:FIGMA_PERSONAL_ACCESS_TOKEN': '2026-01-01 INFO upload using ⟦figd_q66JddlKrxAtF-ZBKrklL1ZNTqJoryPUBRKU7oBMtGbk⟧ done',
  '@secretlint/secretlint-rule-cloudflare:CLOUDFLARE_API_TOKEN': '2026-01-01 INFO upload using ⟦cfut_gPmQLt5nAo2hMBRCTyUANbKGta9wGPhTqdhJvqDie0401021⟧ done',
};

/** Every `rule:messageId` of the table with what covers it. */
const MESSAGES = Object.entries(SECRETLINT_COVERAGE).flatMap(([rule, c]) => ('messages' in c ? Object.entries(c.messages).map(([id, m]) => [`${rule}:${id}`, m] as const) : []));

describe('secretlint coverage (SECRETLINT_COVERAGE)', function () {
  this.timeout(60_000);

  it('names the secretlint commit, the preset\'s 26 rules, and message ids as secretlint spells them', function () {
    assert.match(SECRETLINT_COMMIT, /^[0-9a-f]{40}$/);
    const rules = Object.keys(SECRETLINT_COVERAGE);
    assert.lengthOf(rules, 26);
    for (const rule of rules) assert.match(rule, /^@secretlint\/secretlint-rule-[a-z0-9]+(?:-[a-z0-9]+)*$/, `rule id: ${rule}`);
    for (const [id] of MESSAGES) assert.match(id.split(':')[1]!, /^[A-Za-z][A-Za-z0-9_]*$/, `message id: ${id}`);
  });

  // Rules that report nothing of their own (filter-comments) carry their reason at the rule.
  checkCoverageTable('message id', [...MESSAGES, ...Object.entries(SECRETLINT_COVERAGE).flatMap(([rule, c]) => ('reason' in c ? [[rule, c] as const] : []))], SAMPLES);
});
