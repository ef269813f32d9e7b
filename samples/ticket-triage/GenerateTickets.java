// Generates realistic, varied support tickets for the ticket-triage sample, deterministically.
//
//   java samples/ticket-triage/GenerateTickets.java [count] [seed] > tickets.jsonl
//
// Defaults: 1200 tickets, seed 42. The same count and seed always give the same bytes. Each line is
// {"id":"T-000001","subject":...,"body":...,"label":...}; "label" is the ground truth (one of billing,
// technical, account, feature_request, other) and is never sent to the model. The mix has varied lengths
// (a few very long tickets with pasted logs), tones, unicode names and emoji, quotes and newlines inside
// bodies, and some deliberately ambiguous tickets whose label is the team that must act first.

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

public class GenerateTickets {

    static final String[] LABELS = {"billing", "technical", "account", "feature_request", "other"};
    /** Real support queues are not balanced: technical and billing dominate. */
    static final int[] WEIGHTS = {28, 32, 18, 14, 8};

    static final String[] NAMES = {"Maria", "José Álvarez", "Zoë", "Łukasz", "渡辺 健", "Ngọc Anh", "Björn",
            "Ольга", "Priya", "Chinedu", "Siobhán", "François", "Aiko", "Mehmet", "Sam", "Dr. Okafor", "Ana Lúcia",
            "محمد", "Kim", "Tomasz", "Emma", "Rafael", "Søren", "Lea", "O'Brien", "Yusuf", "Grace", "Nguyễn Văn An"};
    static final String[] COMPANIES = {"Brightline Foods", "Kestrel Labs", "Müller & Söhne GmbH", "Tanaka Trading",
            "Northwind", "Café Olé", "Blue Heron Clinic", "Pixel & Co.", "Riverside School District", "Zeta Logistics"};
    static final String[] PLANS = {"Starter", "Team", "Business", "Enterprise"};
    static final String[] FEATURES = {"the dashboard", "CSV export", "the mobile app", "the API", "Slack integration",
            "scheduled reports", "the audit log", "SSO", "webhooks", "the search page"};
    static final String[] EMOJI = {"🙏", "😡", "🙂", "🤔", "🔥", "😩", "👍", "🚀", "😅", "💸"};

    static final String[][] SUBJECTS = {
            {"Charged twice this month", "Refund request for invoice %INV%", "Why did my bill go up?",
                    "VAT number missing on invoice", "Card declined but I was still charged", "Cancel and refund",
                    "Question about annual pricing", "Invoice %INV% has the wrong company name",
                    "Downgrade to %PLAN% plan — prorated?", "Unexpected charge of $%AMT%"},
            {"%FEATURE% is not loading", "Error 500 when exporting", "API returns 429 constantly",
                    "Data missing since yesterday", "Webhooks stopped firing", "App crashes on startup",
                    "Sync is extremely slow", "Timezone wrong in reports", "Login page spins forever (after update)",
                    "Numbers in %FEATURE% don't add up"},
            {"Can't log in", "Reset my password please", "Lost my 2FA phone", "Transfer ownership of workspace",
                    "Change the email on my account", "Delete my account and data", "Add 5 more seats",
                    "Someone else logged into my account?", "Locked out after too many attempts",
                    "Remove a former employee"},
            {"Feature request: dark mode", "Please add %FEATURE% filters", "Would love an Excel export",
                    "Suggestion for %FEATURE%", "Bulk edit would save us hours", "Any plans for a Linux app?",
                    "Request: custom fields", "Can you support SAML with Okta?", "Idea: keyboard shortcuts",
                    "Allow more than 10 dashboards"},
            {"Partnership opportunity", "Just wanted to say thanks!", "Press inquiry", "Speaking invitation",
                    "Are you hiring?", "Question for your sales team", "Survey for our research project",
                    "Congrats on the launch", "Unsubscribe", "Re: your newsletter"}};

    static final String[][] BODIES = {
            {"I was charged twice on %DATE% for the %PLAN% plan: two identical charges of $%AMT%. Please refund one of them.",
                    "Our invoice %INV% says $%AMT% but our contract says the %PLAN% plan is cheaper. Can someone explain the difference?",
                    "My card was declined, I updated it, and now I see the charge on my statement anyway. Did it go through or not?",
                    "We need our VAT ID (DE123456789) on every invoice for accounting. The last three invoices don't have it.",
                    "I cancelled on %DATE% but got billed again today. I'd like a refund for this month.",
                    "Could you send the receipts for the last 6 months to our finance team? The download link in billing settings gives me a blank PDF.",
                    "We are moving from monthly to annual. Do we get the 20% discount from \"the pricing page\" applied right away?"},
            {"Since this morning %FEATURE% shows a blank page. I tried Chrome and Firefox, cleared the cache, same thing.",
                    "Every export fails with \"Error 500: internal server error\". It worked fine last week.",
                    "Our integration gets HTTP 429 on almost every call even though we send maybe 2 requests per minute.",
                    "Records created yesterday between 14:00 and 16:00 are missing from %FEATURE%. Were they lost?",
                    "Webhooks to our endpoint stopped on %DATE%. Our server logs show nothing arriving; the endpoint is up.",
                    "The mobile app closes immediately after the splash screen. iPhone 13, latest iOS, reinstalled twice.",
                    "The report totals are off by exactly one day, it looks like a timezone issue (we're in UTC+9)."},
            {"I can't sign in: it says \"invalid credentials\" but I'm sure the password is right. Reset emails never arrive.",
                    "I lost the phone with my authenticator app. How do I get back into my account?",
                    "Our admin left the company. Please transfer ownership of the workspace to me, I'm the new IT lead.",
                    "Please change the login email from my old address to my new one, I no longer have access to the old inbox.",
                    "Under GDPR I request deletion of my account and all personal data you hold about me.",
                    "We need 5 more user seats for new hires starting Monday. How do I add them?",
                    "I got a login notification from a country I've never been to. Was my account compromised?"},
            {"It would be great if %FEATURE% had a dark mode, our team works late and the white screen is painful.",
                    "Please let us filter %FEATURE% by custom date ranges. Right now we export and filter in Excel.",
                    "We'd pay more for bulk editing. Changing 400 records one at a time is not realistic.",
                    "Is there any plan to support SAML SSO with Okta? It's a requirement from our security team.",
                    "Suggestion: let admins set default views for everyone in the workspace.",
                    "Could you add keyboard shortcuts? Power users like me would love \"j/k\" navigation.",
                    "Allow more than 10 dashboards per workspace please, we hit the limit in a week."},
            {"Hi! I run partnerships at %COMPANY% and think our products fit together well. Who should I talk to?",
                    "No problem to report, just wanted to say your support team was fantastic last week. Thank you!",
                    "I'm a journalist writing about SaaS tools for small businesses. Could someone answer a few questions?",
                    "We'd like to invite one of your engineers to speak at our meetup in %DATE%.",
                    "Are you hiring backend engineers? I couldn't find a careers page.",
                    "Please remove me from your marketing emails.",
                    "We are a university research group; would you share anonymised usage statistics for a study?"}};

    /** Tickets that touch two teams; the label is the team that must act first. */
    static final String[][] AMBIGUOUS = {
            {"billing", "Charged after deleting account", "I deleted my account on %DATE% but you charged my card again today. Refund please, and make sure the account is really gone."},
            {"technical", "Upgrade button broken", "I want to upgrade to %PLAN% but the upgrade button gives an error, so I can't pay you. Please fix."},
            {"account", "Can't log in to update my card", "My card expired and I need to update it, but I can't log in: the 2FA code is always rejected."},
            {"feature_request", "Export is too slow — please add scheduled exports", "Exporting takes ages. It's not broken, but a scheduled nightly export would solve it for us."},
            {"billing", "Seats", "We removed 3 users last month but we're still billed for them. Why?"},
            {"technical", "API key stopped working", "Our API key returns 401 since this morning. Nobody changed it. Did you rotate keys?"},
            {"other", "Quick question", "Do you have an office in Berlin? We'd like to meet someone in person."},
            {"account", "Former employee still has access", "A contractor who left still appears in our workspace and I can't remove them; the remove option is greyed out."}};

    static final String[] OPENERS = {"Hi,", "Hello team,", "Dear Support,", "hey", "Good morning,", "To whom it may concern,",
            "Hi there 👋", "", "URGENT:", "Bonjour,"};
    static final String[] CLOSERS = {"Thanks!", "Best regards,\n%NAME%", "Cheers, %NAME%", "Thank you in advance 🙏",
            "This is unacceptable.", "", "Sent from my iPhone", "Kind regards,\n%NAME%\n%COMPANY%",
            "Please respond ASAP!!!", "Merci"};
    static final String[] ANGRY = {"This is the THIRD time I'm writing about this.", "Honestly I'm about to cancel.",
            "Nobody has answered my last two emails.", "Your status page says everything is fine. It is not."};
    static final String[] RAMBLE = {"For context, we've been customers for about three years and generally love the product.",
            "I asked a colleague and she has the same problem, so it's not just me.",
            "Not sure if this is the right place to ask, sorry if not.",
            "We're a small team (%COMPANY%) so every hour counts for us."};

    public static void main(String[] args) {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1200;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 42L;
        Random random = new Random(seed);
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8)));
        for (int i = 1; i <= count; i++) {
            out.print(ticket(i, random));
            out.print('\n');
        }
        out.flush();
    }

    static String ticket(int n, Random r) {
        String label;
        String subject;
        String core;
        if (r.nextInt(100) < 8) {
            String[] a = AMBIGUOUS[r.nextInt(AMBIGUOUS.length)];
            label = a[0];
            subject = a[1];
            core = a[2];
        } else {
            int c = weighted(r);
            label = LABELS[c];
            subject = pick(r, SUBJECTS[c]);
            core = pick(r, BODIES[c]);
        }
        String name = pick(r, NAMES);
        StringBuilder body = new StringBuilder();
        String opener = pick(r, OPENERS);
        if (!opener.isEmpty()) body.append(opener).append("\n\n");
        int tone = r.nextInt(10);
        if (tone == 0) body.append(core.toUpperCase()); // the all-caps customer
        else if (tone == 1) body.append(core.toLowerCase().replace(".", "")); // the terse one
        else body.append(core);
        if (tone == 2 || tone == 3) body.append(' ').append(pick(r, ANGRY));
        if (tone >= 4 && tone <= 6) body.append("\n\n").append(pick(r, RAMBLE));
        if (r.nextInt(4) == 0) body.append(' ').append(pick(r, EMOJI));
        if (r.nextInt(12) == 0) {
            // a forwarded earlier message, with quotes
            body.append("\n\n> On ").append(date(r)).append(", ").append(name).append(" wrote:\n> \"").append(pick(r, RAMBLE))
                    .append("\"");
        }
        if (r.nextInt(100) < 3) appendLog(body, r, label); // a few very long tickets
        String closer = pick(r, CLOSERS);
        if (!closer.isEmpty()) body.append("\n\n").append(closer);
        if (r.nextInt(20) == 0) subject = "RE: " + subject;
        if (r.nextInt(25) == 0) subject = subject.toUpperCase() + "!!!";
        return "{\"id\":\"" + String.format("T-%06d", n) + "\",\"subject\":" + json(fill(subject, r, name))
                + ",\"body\":" + json(fill(body.toString(), r, name)) + ",\"label\":\"" + label + "\"}";
    }

    /** Pasted logs or long histories: 5-12 KB of body. */
    static void appendLog(StringBuilder body, Random r, String label) {
        body.append("\n\nHere is everything I have:\n");
        int lines = 60 + r.nextInt(90);
        for (int i = 0; i < lines; i++) {
            int status = label.equals("technical") ? (r.nextBoolean() ? 500 : 429) : 200;
            body.append(String.format("2025-10-%02dT%02d:%02d:%02dZ GET /api/v2/records?page=%d status=%d latency_ms=%d req=\"%08x\"%n",
                    1 + r.nextInt(28), r.nextInt(24), r.nextInt(60), r.nextInt(60), i, status, 20 + r.nextInt(4000), r.nextInt()));
        }
    }

    static String fill(String s, Random r, String name) {
        return s.replace("%NAME%", name)
                .replace("%COMPANY%", pick(r, COMPANIES))
                .replace("%PLAN%", pick(r, PLANS))
                .replace("%FEATURE%", pick(r, FEATURES))
                .replace("%INV%", "INV-" + (10000 + r.nextInt(90000)))
                .replace("%AMT%", (19 + r.nextInt(900)) + "." + String.format("%02d", r.nextInt(100)))
                .replace("%DATE%", date(r));
    }

    static String date(Random r) {
        String[] months = {"January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December"};
        return months[r.nextInt(12)] + " " + (1 + r.nextInt(28));
    }

    static int weighted(Random r) {
        int total = 0;
        for (int w : WEIGHTS) total += w;
        int x = r.nextInt(total);
        for (int i = 0; i < WEIGHTS.length; i++) {
            if (x < WEIGHTS[i]) return i;
            x -= WEIGHTS[i];
        }
        return WEIGHTS.length - 1;
    }

    static String pick(Random r, String[] options) {
        return options[r.nextInt(options.length)];
    }

    /** A JSON string literal; non-ASCII is kept as UTF-8, control characters escaped. */
    static String json(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }

    static List<String> labels() {
        return List.of(LABELS);
    }
}
