/**
 * Secrets of SaaS services: source control, chat and webhooks, payments, email, package registries and
 * AI providers. All example values are fake.
 */
import type { DetectorSpec } from '../types.ts';
import { END, GLUED, NOT_PLACEHOLDER, START } from './common.ts';

const r = String.raw;

export const VCS_DETECTORS: DetectorSpec[] = [
  {
    id: 'github-token',
    description: 'GitHub classic token: personal (ghp_), OAuth (gho_), user-to-server (ghu_), server-to-server (ghs_, also the stateless JWT-bodied form), refresh (ghr_)',
    tags: ['secret', 'vcs', 'github'],
    // The stateless installation token (`ghs_` and a JWT: dots and base64url) first: the opaque body would
    // stop at its first dot and leave the payload and the signature behind.
    pattern: r`${GLUED}(?:ghs_eyJ[A-Za-z0-9_-]{8,256}\.eyJ[A-Za-z0-9_-]{8,2048}\.[A-Za-z0-9_-]{16,1024}${END}|gh[pousr]_[A-Za-z0-9]{36,251}\b)`,
    keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
    entropy: 3,
    examples: {
      positive: ['export GITHUB_TOKEN=ghp_O6x8A7D29IE4yzBv8eY0p1qDKzTuLTwjSx0Q', 'git clone https://x-access-token:ghs_vSJE1W65edVTdsgHNuW4GsdgHBIG3fuleqYR@github.com/acme/app.git', 'remote: token ghs_eyJ9RfvQs73l8Q8hzrwUUXHy4arq63dHc6-8j.eyJlRsYzo5Gpm3V0N46hnDRoW6cE2i-B3ADNCrAmeNVqFNdcIwbMFkQyoHPHcCyB4v_zRqqbtqFY2aZn7MFyExTyD4YROokpDKq9vn5wk6PB-m3sxtOxkOkJeY2.vxX2mMmk0ZhQNliQLLhw-R1Vm8-YM8n8kI2aZyNOGmN rejected'],
      negative: ['GITHUB_TOKEN=ghp_u4NL6sGgmoOIobs69zzt', 'GITHUB_TOKEN=ghs_eyJhbGciOiJSUzI1NiJ9.eyJ',  'GITHUB_TOKEN=ghx_IwloifAkhf6oR0RTPtI4ATztzET9VwHVcmQa', 'GITHUB_TOKEN=ghp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    },
  },
  {
    id: 'github-fine-grained-pat',
    description: 'GitHub fine-grained personal access token',
    tags: ['secret', 'vcs', 'github'],
    // 22 + `_` + 59 as issued; any underscore placement in 82 to 100 characters, as other scanners accept.
    pattern: r`${GLUED}github_pat_[A-Za-z0-9_]{82,100}(?![A-Za-z0-9_])`,
    keywords: ['github_pat_'],
    entropy: 3.5,
    examples: {
      positive: ['GH_TOKEN=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', '{"token": "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"}'],
      negative: ['GH_TOKEN=github_pat_G7QpGqSDBxDCvwOK4e62tE_GDRk7YqjZuIK8x3Hr9uYtpDTr4jlqD', 'GH_TOKEN=github_pat_<your-token>'],
    },
  },
  {
    id: 'github-oauth-basic-url',
    description: 'GitHub token as the user of an https URL whose password is x-oauth-basic (https://TOKEN:x-oauth-basic@github.com/…): any token format, legacy 40-hex ones too',
    tags: ['secret', 'vcs', 'github'],
    // The password part is the fixed word; the secret is the user part, which url-credentials leaves.
    pattern: r`://(${NOT_PLACEHOLDER}[A-Za-z0-9_]{20,255}):x-oauth-basic@`,
    flags: 'i',
    keywords: [':x-oauth-basic@'],
    group: 1,
    entropy: 3,
    examples: {
      positive: [
        '"repository": "git+https://9f2c4e7a1b3d5f6e8c0a2b4d6f8e1c3a5b7d9e0f:x-oauth-basic@github.com/acme/widgets.git"',
        'git clone https://ghp_Tq8vLm2Zx7Wk4Rb9Nc1Hp6Yd3Fs5Gj0Ea2Ub:x-oauth-basic@github.com/acme/app',
      ],
      negative: ['https://x-oauth-basic@github.com/acme/widgets', 'https://${GH_TOKEN}:x-oauth-basic@github.com/acme/widgets', 'https://github.com/acme/widgets.git'],
    },
  },
  {
    id: 'gitlab-pat',
    description: 'GitLab personal, project or group access token (glpat-)',
    tags: ['secret', 'vcs', 'gitlab'],
    pattern: r`${GLUED}glpat-[A-Za-z0-9_-]{20,300}(?:\.[0-9a-z]{2}\.[0-9a-z]{9})?${END}`,
    keywords: ['glpat-'],
    entropy: 3.5,
    examples: {
      positive: ['GITLAB_TOKEN=glpat-8U_HDcpDx4aDZ-Vi7Umb', 'PRIVATE-TOKEN: glpat-IGupkAQH0DtVs6C3ulz_rKKeIGjySwPgQ3qg5F.01.sx2xyhjn6'],
      negative: ['GITLAB_TOKEN=glpat-XnwvAYZ5AqNi', 'GITLAB_TOKEN=glpat-xxxxxxxxxxxxxxxxxxxx'],
    },
  },
  {
    id: 'gitlab-deploy-token',
    description: 'GitLab deploy token (gldt-)',
    tags: ['secret', 'vcs', 'gitlab'],
    pattern: r`${GLUED}gldt-[A-Za-z0-9_-]{20,300}(?:\.[0-9a-z]{2}\.[0-9a-z]{7,9})?${END}`,
    keywords: ['gldt-'],
    entropy: 3.5,
    examples: {
      positive: ['CI_DEPLOY_PASSWORD=gldt-vL03CFyaMABMEoDreFLU', 'docker login -u gitlab+deploy-token-7 -p gldt-TPAnvD2pGfOMlmvpctkvtvAq-X registry.gitlab.com'],
      negative: ['CI_DEPLOY_PASSWORD=gldt-nD6EBID5P6', 'CI_DEPLOY_PASSWORD=gldx-C7PxX_8j7Ugeqzj45Hjy'],
    },
  },
  {
    id: 'gitlab-runner-token',
    description: 'GitLab runner authentication (glrt-, also routable glrt-t1_… with its .xx.crc suffix) or legacy registration (GR1348941) token',
    tags: ['secret', 'vcs', 'gitlab', 'ci'],
    pattern: r`${GLUED}(?:glrtr?-|GR1348941)[A-Za-z0-9_-]{20,300}(?:\.[0-9a-z]{2}\.[0-9a-z]{7,9})?${END}`,
    keywords: ['glrt-', 'glrtr-', 'gr1348941'],
    entropy: 3.5,
    examples: {
      positive: ['gitlab-runner register --token glrt-MkkPL_qXXix1JMH7jw7X', 'registration-token: GR1348941T3hMmBHlXqOnIXOffKdo', 'token = "glrt-t1_IzOtjUzKYoGMhs83eejY1L7T0nP.01.1fni2rtkp3"'],
      negative: ['token: glrt-trxW54HU4V', 'token: GR1348942LAyejc_Wg7SindYcryrw'],
    },
  },
  {
    id: 'gitlab-other-token',
    description: 'Other GitLab tokens: pipeline trigger, CI job, SCIM, feature flags, feed, OAuth secret, incoming mail, agent',
    tags: ['secret', 'vcs', 'gitlab'],
    pattern: r`${GLUED}(?:glptt-[0-9a-f]{40}\b|glcbt-[0-9a-zA-Z]{1,5}_[A-Za-z0-9_-]{20,64}${END}|gl(?:soat|ffct|ft|oas|imt|agent)-[A-Za-z0-9_-]{20,64}${END})`,
    keywords: ['glptt-', 'glcbt-', 'glsoat-', 'glffct-', 'glft-', 'gloas-', 'glimt-', 'glagent-'],
    entropy: 3.5,
    examples: {
      positive: ['curl -X POST -F token=glptt-880b38b7956494153d1f0f66356bedf0314359f1 -F ref=main https://gitlab.example.com/api/v4/projects/9/trigger/pipeline', 'CI_JOB_TOKEN=glcbt-64_Rgi-ggyIsUVRCYXcvnmV', 'GITLAB_OAUTH_SECRET=gloas-zfXdnCtYG3-YnQMmF6FbFGvNF69ze9.01.0xk2q7m4c', 'GITLAB_AGENT_TOKEN=glagent-ZrlFkM_1kkJpbiZWZVv7V6iL1_jAQ9GDxUZhO84R-pQYdulLRy'],
      negative: ['token=glptt-6fd56999b3aa82704c90', 'token=glcbt-OwDxYeA3jpopHKLkFrP1', 'token=glimt-KxQ2v8m'],
    },
  },
  {
    id: 'bitbucket-app-password',
    description: 'Atlassian / Bitbucket app password (ATBB)',
    tags: ['secret', 'vcs', 'atlassian'],
    pattern: r`${GLUED}ATBB[A-Za-z0-9]{32}\b`,
    keywords: ['atbb'],
    entropy: 3.5,
    examples: {
      positive: ['BITBUCKET_APP_PASSWORD=ATBBGPR6Ahq2zqJbdgUrugj7VWa8e6Zx06D1', 'git clone https://ci:ATBBy1cQLmwRe6eC6JHqXWAg5E2ZTQhzsYEf@bitbucket.org/acme/app.git'],
      negative: ['BITBUCKET_APP_PASSWORD=ATBBHlyF0Xl4Qyp235yxwmgc', 'BITBUCKET_APP_PASSWORD=ATBCxKqIGWQkkJh4ffWZ323Eb1ou93danRV5'],
    },
  },
  {
    id: 'atlassian-api-token',
    description: 'Atlassian (Jira, Confluence) API token (ATATT3)',
    tags: ['secret', 'vcs', 'atlassian'],
    pattern: r`${GLUED}ATATT3[A-Za-z0-9_=-]{180,200}${END}`,
    keywords: ['atatt3'],
    entropy: 4,
    examples: {
      positive: ['JIRA_API_TOKEN=ATATT3xFfGF0HXGh9WU9eB6CVA3L3SQs_0l4wVgMAbnSsZBhtRmHH6n1-NhhGB097RbH3q9Q9bbxGPAOQMLZXIZiabl-xJZ-JiyTV7cHBdbAfvXol8HHHmp7jFB2TuAAoIjYDMGaQ6Kptu4dk6cjOek4KrnfcA-5_4yoPF_p42BhZ5yq9WRXbOUW2c=B54CC22E', 'confluence.token: ATATT3Qo7kJTbITMBTEGMZj6fyyYQPMoVaUBvRwnIDSjCilg8wVfv5sa_T2jGVRz2zOoOKoNYAvyHHRkuUtIpRgdlbEnUOkWdGa7hgtJ24-DguTedEfoqsWP0joNzFk4PpvastvsXpdzkr9oFMSM3M3flz88slkGGgjPvEbHPD0UuI8jIXW0NyrXLcz62MIK'],
      negative: ['JIRA_API_TOKEN=ATATT3iHpgyEPLutWvqSd1o2oOXMO_6rd4i53fVeSsywy7', 'JIRA_API_TOKEN=ATATT4w5Jw0VQrWE2jumLeKrDd8CkNx4NMcOP5gvXtjkwvFBvkPSqg_AVamVo-_HAIpJZQFu24QbHpQdVb3O8efzzJyvdWMyW9-2-frx7zm9meQfbhobaFqpGzWFDQv5Ee2FstFmXjCwCKl31mcxRm73kp4NTbYv03eKHK2p5ZqgzhkFx2OgJ24ERCbEa3ZU'],
    },
  },
];

export const CHAT_DETECTORS: DetectorSpec[] = [
  {
    id: 'slack-bot-token',
    description: 'Slack bot token (xoxb-), also the legacy two-part form',
    tags: ['secret', 'chat', 'slack'],
    pattern: r`${GLUED}xoxb-[0-9]{8,14}-(?:[0-9]{8,14}-)?[A-Za-z0-9]{18,34}\b`,
    keywords: ['xoxb-'],
    examples: {
      positive: ['SLACK_BOT_TOKEN=xoxb-950080862483-8606883715942-ljmeEGnLD7pfSF13q8GkVJbH', '{"ok": true, "access_token": "xoxb-73511894038-338721403790-thlrUY7wuclkTCogWrJZSJbk"}', 'legacy bot token xoxb-05268124098-DSMUauhIHiy6P6lugU5xQ9Jh'],
      negative: ['SLACK_BOT_TOKEN=xoxb-518172341757-I5V6yofDKcjv', 'SLACK_BOT_TOKEN=xoxb-your-bot-token', 'SLACK_BOT_TOKEN=xoxb-5181723-I5V6yofDKcjvJRBetc4jitwx'],
    },
  },
  {
    id: 'slack-user-token',
    description: 'Slack user (xoxp-) or refreshable (xoxe-) token',
    tags: ['secret', 'chat', 'slack'],
    pattern: r`${GLUED}(?:xoxp-[0-9]{10,13}-[0-9]{10,13}-[0-9]{10,13}-[a-f0-9]{32}\b|xoxe\.xox[bp]-\d-[A-Za-z0-9]{100,200}\b|xoxe-\d-[A-Za-z0-9]{100,200}\b)`,
    keywords: ['xoxp-', 'xoxe-', 'xoxe.'],
    examples: {
      positive: ['SLACK_USER_TOKEN=xoxp-734020006245-074181856970-6965217626485-ec4b749ee24e2402a977b6e6c9d87d28', 'refresh_token: xoxe-1-MF6ND2h7LFMb10Px04D9X5u0acdF4GClu63X6cU8yVihTXkFO9UI0L0hY4xBuZJ2OEJjlkRbsO8Yp8rKpGubsMaba7WK7Q9TknQufLnp8gYqDJpQ1dVXOjpwzaVfsuBQsdSJGuky18i7nGiW5u'],
      negative: ['SLACK_USER_TOKEN=xoxp-241888866385-884891197094-1b8b388bbac8860cfbc425175bbdc268', 'SLACK_USER_TOKEN=xoxp-179148012038-415153078832-2241849878942-210c92047cf035b24d9a'],
    },
  },
  {
    id: 'slack-other-token',
    description: 'Other Slack tokens: workspace app (xoxa-), legacy (xoxo-, xoxr-, xoxs-), with any number of short numeric parts',
    tags: ['secret', 'chat', 'slack'],
    // Numeric parts, each ended by `-`, then the secret part: a dash-separated word (`xoxa-your-token`) never fits.
    pattern: r`${GLUED}xox[aors]-(?:[0-9]{1,13}-){0,4}[0-9A-Za-z]{8,150}${END}`,
    keywords: ['xoxa-', 'xoxo-', 'xoxr-', 'xoxs-'],
    entropy: 3,
    examples: {
      positive: ['SLACK_TOKEN=xoxa-2-817859820525-469739794711-9960cee928ade1d573bfa55d68f3e2c6', 'token = "xoxs-2533037606-999349728028-685440674943-1c891e55b1cd4c044204cddd"', 'SLACK_TOKEN=xoxa-2-6AvF8rfj08EhCwrygLWzzPnzz0QhaU'],
      negative: ['SLACK_TOKEN=xoxa-2-081394', 'SLACK_TOKEN=xoxa-your-workspace-token', 'SLACK_TOKEN=xoxz-2-035916374240-619970686069-3118fc19f9c0419440ce7a66dfa5b5f9'],
    },
  },
  {
    id: 'slack-app-token',
    description: 'Slack app-level token (xapp-)',
    tags: ['secret', 'chat', 'slack'],
    pattern: r`${GLUED}xapp-\d-[A-Z0-9]{9,12}-\d{10,14}-[a-f0-9]{64}\b`,
    keywords: ['xapp-'],
    examples: {
      positive: ['SLACK_APP_TOKEN=xapp-1-AAC60UPTSHZ-0315577434548-7d949285ecd208f7de2f79361695e6b0f2c9e47b66cbe8d803645fc2b8a0fa12', 'appToken: "xapp-1-A4FCVNF1N4-811759505204-5aadf899c218c425e37078e263c0a363e91ede683f9fa33a24e4ef7838b5cf04"'],
      negative: ['SLACK_APP_TOKEN=xapp-1-AHGQZRN9EOY-2603093280149-d8931953d1a39abbd44a', 'SLACK_APP_TOKEN=xapp-your-app-token'],
    },
  },
  {
    id: 'slack-webhook-url',
    description: 'Slack incoming webhook or workflow trigger URL',
    tags: ['secret', 'chat', 'slack', 'webhook'],
    // Team id, then an app / bot id, a numeric workflow or trigger id (up to 20 digits) or both, then the secret.
    pattern: r`${GLUED}hooks\.slack\.com/(?:services|workflows|triggers)/([A-Za-z0-9]{8,12}/(?:[A-Za-z0-9]{8,12}/)?(?:\d{8,20}/)?[A-Za-z0-9]{20,32})\b`,
    keywords: ['hooks.slack.com'],
    group: 1,
    examples: {
      positive: ['SLACK_WEBHOOK=https://hooks.slack.com/services/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', 'POST https://hooks.slack.com/workflows/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', 'WORKFLOW_URL=https://hooks.slack.com/workflows/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', 'curl -X POST https://hooks.slack.com/triggers/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 -d @payload.json'],
      negative: ['see https://hooks.slack.com/services/', 'SLACK_WEBHOOK=https://hooks.slack.com/services/T000/B000/XXXX'],
    },
  },
  {
    id: 'discord-bot-token',
    description: 'Discord bot token (base64 id . timestamp . HMAC)',
    tags: ['secret', 'chat', 'discord'],
    pattern: r`(?<![A-Za-z0-9_.-])[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}(?![A-Za-z0-9_.-])`,
    trigger: r`\.[A-Za-z0-9_-]{6}\.`,
    entropy: 4,
    examples: {
      positive: ['DISCORD_TOKEN=MTlOwE6OD2gVE2LkLnADuKmOfQ.YajVFn.0qcTBinu7FXJmB8kv-ZpYTul6zxiTYmLhZGdo9', 'client.login("NzXhl64gCiTPVz8uLUcehr5k.z7G9Ji.VmiAORyDzakFvWmIibmJPSNIN6L")'],
      negative: ['DISCORD_TOKEN=MTlCtS1dYvYKcXwZOHJdYXEYjB.DUs9h9', 'DISCORD_TOKEN=MTA2AcNdjMWa.oNDBto.3pb1ZXAXaDfVgMdV1XPD7dqCCaRrZVpS7ptTwl'],
    },
  },
  {
    id: 'discord-webhook-url',
    description: 'Discord webhook URL (id and token)',
    tags: ['secret', 'chat', 'discord', 'webhook'],
    pattern: r`${GLUED}(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/(\d{17,20}/[A-Za-z0-9_-]{60,68})${END}`,
    keywords: ['discord.com/api/webhooks/', 'discordapp.com/api/webhooks/'],
    group: 1,
    examples: {
      positive: ['DISCORD_WEBHOOK=https://discord.com/api/webhooks/1074731867807489126/UORC03yqBn-lTy9vwo7txb1tYTXe6EQrlvVFZSCyFn6ylOk4b0x7FvRsStrge0U8jwbf', 'curl -X POST https://discordapp.com/api/webhooks/691296203824137276/CEfXSD0lGWEewYP9KWxpKU4x0R2tWQC2K6Cy8zucrMi3_TPE3zXYkY7x1Ckk5ksk -d @msg.json'],
      negative: ['https://discord.com/api/webhooks/448116539494777501/', 'https://discord.com/api/webhooks/{id}/{token}'],
    },
  },
  {
    id: 'telegram-bot-token',
    description: 'Telegram bot API token',
    tags: ['secret', 'chat'],
    pattern: r`(?:(?<=/bot)|(?<![A-Za-z0-9_:-]))\d{8,10}:AA[A-Za-z0-9_-]{33}${END}`,
    keywords: [':aa'],
    examples: {
      positive: ['TELEGRAM_BOT_TOKEN=5173104441:AAdTQ7TyY-nXlD-ZfRWk6NfTnjKqzfyfwLB', 'https://api.telegram.org/bot240712861:AA4WP-bqUsX8_MomcfF5dbpmxw7acmQn2-L/sendMessage'],
      negative: ['TELEGRAM_BOT_TOKEN=5982002896:AAjHBnJSdmUa6AYvGr_Yv8', 'TELEGRAM_BOT_TOKEN=4237459797:BBgjs3ZFKuPlbS8WZ3W83zG1s6lE4U1PpTZ'],
    },
  },
  {
    id: 'teams-webhook-url',
    description: 'Microsoft Teams incoming webhook URL',
    tags: ['secret', 'chat', 'webhook'],
    pattern: r`(?<![a-z0-9-])[a-z0-9-]{1,50}\.webhook\.office\.com/webhookb2/([a-f0-9-]{36}@[a-f0-9-]{36}/IncomingWebhook/[a-f0-9]{32}/[a-f0-9-]{36}(?:/[A-Za-z0-9_-]{20,80})?)`,
    keywords: ['.webhook.office.com/'],
    group: 1,
    examples: {
      positive: [
        'TEAMS_WEBHOOK=https://acme.webhook.office.com/webhookb2/831dfe93-cfe4-339e-d981-261d650e08df@e7a113fe-7673-54c9-bfc1-5809284b3ddf/IncomingWebhook/dc940b1736f5b496ba970c6b480e6a51/ba40df54-4bda-f87c-23eb-7c284ab0d98b',
        'POST https://contoso.webhook.office.com/webhookb2/5dba3488-f23d-c63d-a578-b2ae5346f8c9@6fb88082-e81f-9e0a-b05c-c3ea8d613c22/IncomingWebhook/81c24fe9f8f54fc18e7fc54363ab02ed/d39d514b-cf74-f734-5459-6ae1c75fca02/V2IJBCcHBVMrDvZWFTkTnCbzwgVhk5OIg7ab_fYpOv 200',
      ],
      negative: ['https://acme.webhook.office.com/webhookb2/', 'https://acme.webhook.office.com/webhookb2/<id>@<tenant>/IncomingWebhook/<hash>/<guid>'],
    },
  },
];

export const PAYMENT_DETECTORS: DetectorSpec[] = [
  {
    id: 'stripe-secret-key',
    description: 'Stripe secret or restricted API key (live, test or prod mode)',
    tags: ['secret', 'payment', 'stripe'],
    pattern: r`${GLUED}[sr]k_(?:live|test|prod)_[A-Za-z0-9]{24,247}\b`,
    keywords: ['sk_live_', 'sk_test_', 'sk_prod_', 'rk_live_', 'rk_test_', 'rk_prod_'],
    entropy: 3.5,
    examples: {
      positive: ['STRIPE_SECRET_KEY=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', 'stripe.api_key = "rk_live_moNXwadRmNDPGDCDUZ8ggsft"', 'STRIPE_KEY=sk_test_yQbrTBtJXVbt5dQ6gVxHRyvf', 'STRIPE_SECRET_KEY=sk_prod_Tq8vLm2Zx7Wk4Rb9Nc1Hp6Yd3F', 'restricted=rk_prod_9Gh2Kq7Lm4Zx8Wv1Tb6Nc3Rp5'],
      negative: ['STRIPE_PUBLISHABLE_KEY=pk_live_bSP3amVmlcOGPXGGO1irKoeRq6POIXk4YjKYqBH8wUTs7L9ReLxJTnl5lIr1NeJNoL76u4eIJ6KfihIRSYLN07S2IhvPRyRWjMT', 'STRIPE_SECRET_KEY=sk_live_g0k18HOSAj', 'STRIPE_SECRET_KEY=sk_stage_Tq8vLm2Zx7Wk4Rb9Nc1Hp6Yd3F'],
    },
  },
  {
    id: 'stripe-webhook-secret',
    description: 'Stripe webhook signing secret',
    tags: ['secret', 'payment', 'stripe'],
    pattern: r`${GLUED}whsec_[A-Za-z0-9+/]{32,64}={0,2}(?![A-Za-z0-9+/=])`,
    keywords: ['whsec_'],
    entropy: 3.5,
    examples: {
      positive: ['STRIPE_WEBHOOK_SECRET=whsec_4b7t3ZnHhHarjV70cCMDAK0pyJQbgvUi', 'endpoint_secret = "whsec_mKB8l8GTeyBqcrtnvtycvVS91UjlYL8yzTN8yRtA"'],
      negative: ['STRIPE_WEBHOOK_SECRET=whsec_PUCx0GFHBDyQFel6ogyz', 'STRIPE_WEBHOOK_SECRET=whsec_...'],
    },
  },
  {
    id: 'square-access-token',
    description: 'Square access token (EAAA / sq0atp-)',
    tags: ['secret', 'payment'],
    // `EAAA` stays at a word start: zero bytes encode as `A`, so it runs through base64 data by chance.
    pattern: r`(?:${START}EAAA[A-Za-z0-9_-]{60}|${GLUED}sq0atp-[A-Za-z0-9_-]{22})${END}`,
    keywords: ['eaaa', 'sq0atp-'],
    entropy: 3.5,
    examples: {
      positive: ['SQUARE_ACCESS_TOKEN=EAAAcmQ54H68byI9G3y02ziN93jdq3VC7ny253JOExFr7U08RrHLpezxP7_HsI_U', 'square.access_token = "sq0atp-S3qFI5FtwPtFXsbuzqpZSH"'],
      negative: ['SQUARE_ACCESS_TOKEN=EAAAP8SXG7umKB5e2U203aRk0siZifr3w7', 'SQUARE_ACCESS_TOKEN=sq0atp-AFvWm1uJrb'],
    },
  },
  {
    id: 'square-oauth-secret',
    description: 'Square OAuth application secret',
    tags: ['secret', 'payment'],
    pattern: r`${GLUED}sq0csp-[A-Za-z0-9_-]{43}${END}`,
    keywords: ['sq0csp-'],
    entropy: 3.5,
    examples: {
      positive: ['SQUARE_APP_SECRET=sq0csp-QEwe4xxwzdufGjMI8rdco21j2p4or37bylUqMfNdUo5', '"application_secret": "sq0csp-dqBfFgAWkdsxI82-UhueJA3U8-cXHv3qj0dteYgNBk0"'],
      negative: ['SQUARE_APP_SECRET=sq0csp-Z8abDrD6sfdZ9jOr24bU', 'SQUARE_APP_ID=sq0idp-4xnrQURk-loYvZ0TZWwHZQ'],
    },
  },
  {
    id: 'braintree-access-token',
    description: 'Braintree / PayPal access token',
    tags: ['secret', 'payment'],
    pattern: r`${GLUED}access_token\$(?:production|sandbox)\$[a-z0-9]{16}\$[a-f0-9]{32}\b`,
    keywords: ['access_token$'],
    examples: {
      positive: ['BRAINTREE_ACCESS_TOKEN=access_token$production$rm19kz38lkvo97pj$86d4a8c33e325379ca8bf437570915ce', 'gateway = Gateway(access_token="access_token$sandbox$xiph5tnfnhasty80$dc117f19394bb6339ee84abd066e64b5")'],
      negative: ['BRAINTREE_ACCESS_TOKEN=access_token$production$0l4l8e9mle3y6wsd', 'BRAINTREE_ACCESS_TOKEN=access_token$staging$xo3dpcgpee3p381w$95c36645373730ec4bd8bfa5514f711f'],
    },
  },
  {
    id: 'flutterwave-secret-key',
    description: 'Flutterwave secret key (FLWSECK-<32 hex>-X) or encryption key (FLWSECK_TEST<12 hex>, also written with a hyphen), live or test',
    tags: ['secret', 'payment'],
    // Hex of either case: keys are pasted upper-cased too.
    pattern: r`${GLUED}FLWSECK(?:_TEST)?(?:-[a-hA-H0-9]{32}-X|-?[a-hA-H0-9]{12})\b`,
    keywords: ['flwseck'],
    examples: {
      positive: ['FLW_SECRET_KEY=FLWSECK-b1ea1721a5e8439b017b648c6199ef91-X', 'FLW_SECRET_KEY=FLWSECK_TEST-90b91363891fc031ec9d62f9dd54198b-X', 'FLW_ENCRYPTION_KEY=FLWSECK_TESTd2a4c07b9e15', 'encryption_key: FLWSECK_TEST-5e0bd7a31c4f', 'FLW_SECRET_KEY=FLWSECK-6F2B8E0D4A1C9E7B5D3F1A8C6E4B2D0F-X'],
      negative: ['FLW_SECRET_KEY=FLWSECK-426106e62ef5ca8d39e1-X', 'FLW_SECRET_KEY=FLWSECK-57fab4107a4c094f7ad3f1e6f1a75a96', 'FLW_PUBLIC_KEY=FLWPUBK_TEST-90b91363891fc031ec9d62f9dd54198b-X', 'FLW_ENCRYPTION_KEY=FLWSECK_TEST-5e0bd7a31c'],
    },
  },
  {
    id: 'shopify-token',
    description: 'Shopify access token, custom app token, private app password or shared secret',
    tags: ['secret', 'payment', 'saas'],
    pattern: r`${GLUED}shp(?:at|ca|pa|ss)_[A-Za-z0-9]{32,64}\b`,
    keywords: ['shpat_', 'shpca_', 'shppa_', 'shpss_'],
    entropy: 3,
    examples: {
      positive: ['SHOPIFY_ACCESS_TOKEN=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', 'X-Shopify-Access-Token: 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', 'SHOPIFY_ADMIN_TOKEN=shpat_ZEjVEp6UsFvOVvj5emu6LKgtjlzcgjtc', 'shopify.custom_app_token: shpca_JOitKJldWeGbblkYPwu4FbJK9ZjmpT9F'],
      negative: ['SHOPIFY_ACCESS_TOKEN=shpat_16c8b9603d45f9623102', 'SHOPIFY_ACCESS_TOKEN=shpxx_513d97b6ab528aaf986579a76ec3ccc2'],
    },
  },
];

export const EMAIL_SERVICE_DETECTORS: DetectorSpec[] = [
  {
    id: 'sendgrid-api-key',
    description: 'SendGrid API key',
    tags: ['secret', 'email-service'],
    // Glued on both sides: the format's fixed 22 + 43 lengths end it, whatever follows (`…ABC123next`).
    pattern: r`${GLUED}SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}`,
    keywords: ['sg.'],
    entropy: 4,
    examples: {
      positive: ['SENDGRID_API_KEY=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', 'sg = SendGridAPIClient("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")', 'apikey=SG.Fs5UkTWgXUEOBw1uW5CcSc.-I4PAHgnkL3ElEc9ENWs7ZYnx0MqQ4LJsOgZQQDAlrqvNEXT'],
      negative: ['SENDGRID_API_KEY=SG.hdEaOkPJAIFU6z-jBa2WRh.Ht6XZWpNV_hRK3cgAu17', 'SENDGRID_API_KEY=SG.your-key-here'],
    },
  },
  {
    id: 'mailgun-api-key',
    description: 'Mailgun private API key (key- + 32 hex, anywhere) or webhook signing key (next to a mailgun key name)',
    tags: ['secret', 'email-service'],
    // `key-` alone stays at a word start: glued, it ends `apikey-`, `monkey-`.
    // The sensitive part is the hex after the public `key-` prefix.
    pattern: r`(?:mailgun[A-Za-z0-9_.-]{0,30}(?:\\?["'])?[ \t]{0,3}(?:=|:|=>)[ \t]{0,3}(?:\\?["'])?(?:key-)?|${START}key-)([a-f0-9]{32}(?:-[a-f0-9]{8}-[a-f0-9]{8})?)\b`,
    flags: 'i',
    keywords: ['mailgun', 'key-'],
    group: 1,
    entropy: 3,
    examples: {
      positive: ['MAILGUN_API_KEY=key-b5c256807e8cb68ff29eeab6087e91b1', 'mailgun.signing_key: "0dd23c4b1be83377969a921ba803548e-6361c29c-8bbdf80f"', 'sending with credential key-2916beb38b22bac0bb68a93b71af79d7 to api.mailgun.net', 'curl -s --user "api:key-8c894488b7cd5650ea17b7ae70d330c5" https://api.eu.mailgun.net/v3/mg.acme.io/messages'],
      negative: ['MAILGUN_API_KEY=key-4b964690ae4014ea235f', 'MAILGUN_DOMAIN=mg.example.com', 'cache monkey-ee7670dea5021f2b49cfa694bc8a051b hit', 'using credential key-b56719c9815ac3ce0eaad8ef792d0b1'],
    },
  },
  {
    id: 'twilio-auth-token',
    description: 'Twilio auth token or API key secret, next to a twilio key name',
    tags: ['secret', 'email-service', 'sms'],
    pattern: r`twilio[A-Za-z0-9_.-]{0,30}(?:token|secret)(?:\\?["'])?[ \t]{0,3}(?:=|:|=>)[ \t]{0,3}(?:\\?["'])?([A-Za-z0-9]{32})\b`,
    flags: 'i',
    keywords: ['twilio'],
    group: 1,
    entropy: 3,
    examples: {
      positive: ['TWILIO_AUTH_TOKEN=416fe58f4001384a50860576fe9a0a59', 'twilio.api_secret: "2qCaZV050TkRQlFmZhXfvYQar1bjSwYC"'],
      negative: ['TWILIO_AUTH_TOKEN=ff0abb10abbfc52b17db', 'TWILIO_ACCOUNT_SID=AC184a29dc57d278d4c3f2925029acc0da'],
    },
  },
  {
    id: 'twilio-api-key-sid',
    description: 'Twilio API key SID (SK + 32 hex), anywhere',
    tags: ['secret', 'email-service', 'sms'],
    // At a word start: `SK` is two letters, and glued it ends words (`TASK`, `DESK`) that hex may follow.
    pattern: r`${START}SK[0-9a-f]{32}\b`,
    keywords: ['sk'],
    entropy: 3,
    examples: {
      positive: ['TWILIO_API_KEY=SK79f61314257090f407ec328b7457f33a', 'twilio_api_key_sid: "SKf1c3c2bd2c71ab4b0f2259a59e5e1d32"', 'using credential SKf77856ebe86e88013bc69fb4cae38520 for the sms job'],
      negative: ['TWILIO_API_KEY=SK8b8cc404f782a3413b3f', 'TASK096027939d1f3afda40dd57fc82d80f2 done', 'SID=SK096027939D1F3AFDA40DD57FC82D80F2X'],
    },
  },
  {
    id: 'mailchimp-api-key',
    description: 'Mailchimp API key (32 hex and a datacenter suffix)',
    tags: ['secret', 'email-service'],
    pattern: r`\b[a-f0-9]{32}-us\d{1,2}\b`,
    keywords: ['-us'],
    examples: {
      positive: ['MAILCHIMP_API_KEY=c14d6f318d614925ddf68b9baf467fcf-us21', 'mailchimp.set_config({"api_key": "73baa7bb5e10073a5fd3d59fabb7c340-us6"})'],
      negative: ['MAILCHIMP_API_KEY=20dc4beb6a09114c3f00-us21', 'MAILCHIMP_API_KEY=6fc3ec6e0acaf86610456af636279ffd-eu1'],
    },
  },
  {
    id: 'brevo-api-key',
    description: 'Brevo (Sendinblue) API or SMTP key',
    tags: ['secret', 'email-service'],
    pattern: r`${GLUED}(?:xkeysib|xsmtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16}\b`,
    keywords: ['xkeysib-', 'xsmtpsib-'],
    examples: {
      positive: ['BREVO_API_KEY=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', 'smtp_password: xsmtpsib-f603e353366e26e552cd2ac13d27e6635044f8115570afdedf69f31d7c369536-R6K48EpbgzjBbE8C'],
      negative: ['BREVO_API_KEY=xkeysib-7f8eb3d157a635608ca28ec81fef28fdc3a8b18ccb65c1b6b2339e31ffa83842', 'BREVO_API_KEY=xkeysib-0a251b641123972177cacddf5a7061-gswUeQq49MDH1bCe'],
    },
  },
];

export const REGISTRY_DETECTORS: DetectorSpec[] = [
  {
    id: 'npm-access-token',
    description: 'npm access token',
    tags: ['secret', 'package-registry', 'npm'],
    pattern: r`${GLUED}npm_[A-Za-z0-9]{36}\b`,
    keywords: ['npm_'],
    entropy: 3.5,
    examples: {
      positive: ['//registry.npmjs.org/:_authToken=npm_gHQECZD1pEveEEUmlmkh6fnJWFVNK5tGlOk1', 'NPM_TOKEN=npm_jyitQdYEvK8NTbYd1kUrOrQSE77q84diFNSV'],
      negative: ['NPM_TOKEN=npm_FzK9fJtGBMfD2TZ0KNpv', 'npm_config_cache=/tmp/npm_cache_directory_for_builds_0001'],
    },
  },
  {
    id: 'npmrc-auth',
    description: 'Credential in an .npmrc line: _authToken (any format, also legacy UUID tokens), _auth (base64 user:password) or _password, usually after a registry URL (//registry.npmjs.org/:_authToken=…)',
    tags: ['secret', 'package-registry', 'npm'],
    // After `:` (a registry-scoped line) or where a key starts; the value is the rest of the token run.
    // `${NPM_TOKEN}` is how the file should read, and is no finding.
    pattern: r`(?<![\w.-])_(?:authToken|auth|password)[ \t]{0,3}=[ \t]{0,3}["']?(${NOT_PLACEHOLDER}[^\s"'$][^\s"']{7,1023})`,
    flags: 'i',
    keywords: ['_auth', '_password'],
    group: 1,
    entropy: 3,
    examples: {
      positive: [
        '//registry.npmjs.org/:_authToken=7f3a2b1c-9d4e-4f5a-8b6c-1d2e3f4a5b6c',
        '//npm.pkg.internal/repository/npm/:_auth=ZGVwbG95OlRyMHViNGRvcjMtbnBt',
        '//npm.pkg.internal/:_password="UTBzNmZqNHJYcDJt"',
        '; ~/.npmrc\n//registry.yarnpkg.com/:_authToken=Zk2Lq9Xp4Rt7Wm3Nb8VcQ1',
      ],
      negative: [
        '//registry.npmjs.org/:_authToken=${NPM_TOKEN}',
        '//registry.npmjs.org/:_authToken=',
        'always-auth=true',
        '_authToken=<your-token>',
        'const x = obj_authToken=abc',
      ],
    },
  },
  {
    id: 'pypi-token',
    description: 'PyPI upload token',
    tags: ['secret', 'package-registry'],
    pattern: r`${GLUED}pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,1000}${END}`,
    keywords: ['pypi-ageichlwas5vcmc'],
    entropy: 4,
    examples: {
      positive: ['TWINE_PASSWORD=pypi-AgEIcHlwaS5vcmch5Q05v0rv7ZlEQk0IHOxzLmKkwG1Ut6HP6GEppL0TJDbJQGKrGnAGrcbLn5H7VhVc9aFyLnuWmIPoVW7SoH3VpYwWARETGnRyC7iStXMWA4vC-tAqRZm-BDm1gsAucEwpqo3-MJ1s8DPa4FVHeGHx8', 'password = pypi-AgEIcHlwaS5vcmcKG0BKXaCWt1OovS8veL2MFtnBK2jW12ephMXfvQgz6JSI3LoET0PFiwyA3dbBxv-oXODLX1pomIZV_XC'],
      negative: ['TWINE_PASSWORD=pypi-AgEIcHlwaS5vcmcpL-Hrug8zJ57ndOHiLF8', 'TWINE_PASSWORD=pypi-0ZajOdh9BzNu9c-yRAI_h2DEg-W0WxwXCOOUxcTr6SxFhekl7dUnA-UIk2VIAcqm-SchewykT6VFyBsGBbhMrN2MwOP9_dM7x7PoYkYVfgWxeP5xFpFceOjBfxtQYSX0tnSvYGfSIbI2W6lUKC0RuU'],
    },
  },
  {
    id: 'nuget-api-key',
    description: 'NuGet.org API key',
    tags: ['secret', 'package-registry'],
    pattern: r`${GLUED}oy2[a-z0-9]{43}\b`,
    keywords: ['oy2'],
    entropy: 3.5,
    examples: {
      positive: ['dotnet nuget push app.nupkg --api-key oy2mewyz9enfi6oczi7jhi25uglfcv9csvgm1pyaet8utd --source nuget.org', 'NUGET_API_KEY=oy20plb3ccvxt5cpr4tniglo7j4utf02xc6gd7992c67sy'],
      negative: ['NUGET_API_KEY=oy2h243g92k7bfj3eox0po2', 'NUGET_API_KEY=oy3f3rhspsldunqmdwgn9gsk5ja4gf4tap4ozyan4dxnev'],
    },
  },
  {
    id: 'rubygems-api-key',
    description: 'RubyGems API key',
    tags: ['secret', 'package-registry'],
    pattern: r`${GLUED}rubygems_[a-f0-9]{48}\b`,
    keywords: ['rubygems_'],
    examples: {
      positive: ['GEM_HOST_API_KEY=rubygems_6f05aa8da72988cd6757fdd88becce938283c361ae18a3bb', ':rubygems_api_key: rubygems_71cb13ba0dde751230cebad486c13ffa9f028b4e4c348b2f'],
      negative: ['GEM_HOST_API_KEY=rubygems_fd5e89dc7703f1abd274', 'GEM_HOST_API_KEY=rubygems_api_key'],
    },
  },
  {
    id: 'artifactory-api-key',
    description: 'JFrog Artifactory API key',
    tags: ['secret', 'package-registry'],
    pattern: r`${GLUED}AKCp[A-Za-z0-9]{69}\b`,
    keywords: ['akcp'],
    entropy: 4,
    examples: {
      positive: ['ARTIFACTORY_API_KEY=AKCppftemYDMAicjJxx0cY9Zr7EVEjhohfXXunsSaGl2C2uB9QCczWE4hhyusz7KbvAfT4ZkO', 'X-JFrog-Art-Api: AKCpYEpOqTRo4cHuNov5BoQ5Q2IYATc5jmGkE4FCjWfhgjODigDZxKL3RCeuVKhxZ5nAtdQlW'],
      negative: ['ARTIFACTORY_API_KEY=AKCp1Z3gYgctmsj7snPh700oCv0ypt9IfFPAJr01XDWH', 'ARTIFACTORY_API_KEY=AKCqIlntLHDr5hX11MRfjSIcyznmHwv8BeCcATsPeUPsEUD8FXokSV0I7L4HA81uHDkTysJXX'],
    },
  },
];

export const AI_DETECTORS: DetectorSpec[] = [
  {
    id: 'openai-api-key',
    description: 'OpenAI API key (project, service-account, admin and legacy user keys)',
    tags: ['secret', 'ai', 'openai'],
    // The project, service-account and admin keys stay at a word start: glued, `sk-` ends kebab-case names
    // (`risk-admin-…`, `task-proj-…`) that their body also takes. The legacy key's `T3BlbkFJ` is distinctive.
    pattern: r`(?:${START}sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,250}|${GLUED}sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})${END}`,
    keywords: ['sk-proj-', 'sk-svcacct-', 'sk-admin-', 't3blbkfj'],
    entropy: 4,
    examples: {
      positive: ['OPENAI_API_KEY=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', 'client = OpenAI(api_key="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")', 'OPENAI_ADMIN_KEY=sk-admin-tQu3CL9Z-r0ejAPBwbJZpq6MJuT-5CnRpSIsQOlOKkxIHd9JWkS55j7dQWcR', 'OPENAI_API_KEY="sk-svcacct-DaSvGIc8wDodteOSc3ec-8SNFMA4NChb9wnebT3BlbkFJrS6EaiPgEa1BipVYSfry"'],
      negative: ['OPENAI_API_KEY=sk-proj-8HUmUQu4bhtMJSjUTYfp', 'OPENAI_API_KEY=sk-your-key-here', 'OPENAI_API_KEY=sk-W8gLosMXUlevs00wRfwqPwmpzRJW7zBOwfWSO34rbLIBfqHP'],
    },
  },
  {
    id: 'anthropic-api-key',
    description: 'Anthropic API or admin key',
    tags: ['secret', 'ai', 'anthropic'],
    pattern: r`${GLUED}sk-ant-[a-z]{3,5}\d{2}-[A-Za-z0-9_-]{80,200}${END}`,
    keywords: ['sk-ant-'],
    entropy: 4,
    examples: {
      positive: ['ANTHROPIC_API_KEY=sk-ant-api03-OIwe4BCna9KESQknO3xvXjVQJkwBbNYFcnbheka8Jhz6gp-bzPmUtBkSYFZcak0RqtbiQRgOhaiWuSCofW-RqhIdGROUGAA', 'x-api-key: sk-ant-admin01-qCVbZ-xYK_BTiMRQnTmvr4O8GcTTVpNJNjxcYUOSzRhjfWNRtzIMvRmrPk6DxUobcIlFsm6C2QsdQRrVc8PJpntRNFIBBAA'],
      negative: ['ANTHROPIC_API_KEY=sk-ant-api03-mi5QzbZNSOfgmvGi7YtvCUo-gsjzq7', 'ANTHROPIC_API_KEY=sk-ant-...'],
    },
  },
  {
    id: 'huggingface-token',
    description: 'Hugging Face user access token or organization API token',
    tags: ['secret', 'ai'],
    // At a word start: glued, `hf_` ends snake_case names (`load_hf_`), and a class name fits the body
    // (`AutoModelForSequenceClassification` has 34). Digits allowed in the body, as other scanners do; the
    // entropy bar keeps digit-only runs out.
    pattern: r`${START}(?:hf|api_org)_[A-Za-z0-9]{34}\b`,
    keywords: ['hf_', 'api_org_'],
    entropy: 3.5,
    examples: {
      positive: ['HF_TOKEN=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', 'token hf_k3Xq9TmZ2vLp7RwN4sB8cD1fG6hJ5yQeWa', 'huggingface-cli login --token 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'],
      negative: ['HF_TOKEN=hf_vvVUtYPNDkAldeCibMWX', 'HF_TOKEN=hf_9561555832180729614321644728802289', 'HF_HOME=/data/hf_cache_shared_models_dir_v2'],
    },
  },
  {
    id: 'replicate-api-token',
    description: 'Replicate API token',
    tags: ['secret', 'ai'],
    pattern: r`${GLUED}r8_[A-Za-z0-9]{37}\b`,
    keywords: ['r8_'],
    entropy: 3.5,
    examples: {
      positive: ['REPLICATE_API_TOKEN=r8_xYnEZUy5pYlU4Qq4RWrps2vub6YyMVCqPRIGn', 'replicate.Client(api_token="r8_2x3uvOJLIltmRBJTq6ifQnV6Mr6K9VOvikGv0")'],
      negative: ['REPLICATE_API_TOKEN=r8_T8yQojDAFIhtYjd9Ig3j', 'REPLICATE_API_TOKEN=r9_I5kwGmwdlKCsWFapngZwS8157lQDwwdmnjtup'],
    },
  },
  {
    id: 'groq-api-key',
    description: 'Groq API key',
    tags: ['secret', 'ai'],
    pattern: r`${GLUED}gsk_[A-Za-z0-9]{52}\b`,
    keywords: ['gsk_'],
    entropy: 3.5,
    examples: {
      positive: ['GROQ_API_KEY=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', 'Groq(api_key="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")'],
      negative: ['GROQ_API_KEY=gsk_wOtkCgQjCva2ekMKolyEwRsaX27WHb', 'GROQ_API_KEY=gsk_your_key'],
    },
  },
  {
    id: 'perplexity-api-key',
    description: 'Perplexity API key',
    tags: ['secret', 'ai'],
    pattern: r`${GLUED}pplx-[A-Za-z0-9]{48}\b`,
    keywords: ['pplx-'],
    entropy: 3.5,
    examples: {
      positive: ['PPLX_API_KEY=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', 'Authorization: Bearer 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'],
      negative: ['PPLX_API_KEY=pplx-Zc3KfmS1xILSwxCICopbNcLGbmkq75', 'model=pplx-70b-online'],
    },
  },
  {
    id: 'xai-api-key',
    description: 'xAI (Grok) API key',
    tags: ['secret', 'ai'],
    pattern: r`${GLUED}xai-[A-Za-z0-9]{80}\b`,
    keywords: ['xai-'],
    entropy: 3.5,
    examples: {
      positive: ['XAI_API_KEY=xai-m4sAeYSW6EKaF2HYLkOutmXFnILQn1ppBEz78m00jXLqVfwS2hHevKx0V1bC6watv9UdmSQytQ2wSJFr', '{"api_key": "xai-7F51ByCSUo55AQbg6xX6bZIi82R1KN4Q8X1zLlewwo2Dlp1gCm8876WMmGNZ7JUrTWjhT5AzEFe9byw9"}'],
      negative: ['XAI_API_KEY=xai-SNZXRUnBXMqXdN9gdyKPpE5D2cNzTDYjMuvtLvCm', 'model=xai-grok-2-latest'],
    },
  },
  {
    id: 'langsmith-api-key',
    description: 'LangSmith personal or service key',
    tags: ['secret', 'ai'],
    pattern: r`${GLUED}lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}\b`,
    keywords: ['lsv2_'],
    examples: {
      positive: ['LANGSMITH_API_KEY=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', 'LANGCHAIN_API_KEY="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"'],
      negative: ['LANGSMITH_API_KEY=lsv2_pt_ad3cb1dc3e8d4bde5af19d970608dea4', 'LANGSMITH_API_KEY=lsv2_xx_0bce1b1b8071149ea3b8dff0d5558365_d4138feeb7'],
    },
  },
];

export const SERVICE_DETECTORS: DetectorSpec[] = [
  ...VCS_DETECTORS,
  ...CHAT_DETECTORS,
  ...PAYMENT_DETECTORS,
  ...EMAIL_SERVICE_DETECTORS,
  ...REGISTRY_DETECTORS,
  ...AI_DETECTORS,
];
