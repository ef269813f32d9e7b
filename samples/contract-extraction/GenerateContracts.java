// Generates realistic, varied English contracts for the contract-extraction sample, deterministically.
//
//   java samples/contract-extraction/GenerateContracts.java [count] [seed] > contracts.csv
//
// Defaults: 300 contracts, seed 2026. The same count and seed always give the same bytes. The output is CSV
// (RFC 4180, LF line ends) with the header contract_id,title,counterparty,text; a field is quoted when it holds
// a comma, a quote or a newline, quotes doubled inside, so every contract text is one quoted field spanning many
// lines. The mix: services agreements (MSA, SaaS, consulting), NDAs (mutual and one-way), commercial leases and
// supply agreements between one of the three Northwind Analytics entities and a counterparty; parties with
// their roles, effective dates written five ways, fixed or evergreen terms, fees (monthly, annual, one-time,
// per unit, rent, or none), renewal and termination clauses, obligations, liability, governing law.
// About 5% are long (17-29 KB of text: definitions, many clauses, service-level and price schedules) so that
// the job's long_inputs chunks them; their term, fees and renewal clauses stay in the first ~8 KB, as in most
// real contracts. A few have no end date (evergreen), no amount (time and materials, fees "per Order Form", NDAs)
// or no governing-law clause, so the nullable fields of the schema are exercised. There is no label column.

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

public class GenerateContracts {

    /** Our side: one of the group's three entities, each with its usual law and currency. */
    record Entity(String name, String shortName, String incorporation, String address, String law, String currency) {}

    static final Entity[] OURS = {
            new Entity("Northwind Analytics, Inc.", "Northwind", "a Delaware corporation",
                    "400 Harbor Boulevard, Suite 1200, Boston, MA 02210", "the laws of the Commonwealth of Massachusetts", "USD"),
            new Entity("Northwind Analytics Ltd", "Northwind", "a company registered in England and Wales (No. 09876543)",
                    "12 Finsbury Square, London EC2A 1AS", "the laws of England and Wales", "GBP"),
            new Entity("Northwind Analytics GmbH", "Northwind", "a limited liability company under German law",
                    "Rosenthaler Straße 40, 10178 Berlin", "the laws of the Federal Republic of Germany", "EUR")};

    record Company(String name, String shortName, String incorporation, String address) {}

    static final Company[] COUNTERPARTIES = {
            new Company("Baker, Holt & Partners LLP", "Baker Holt", "a limited liability partnership", "77 Wall Street, New York, NY 10005"),
            new Company("Kestrel Cloud Services, Inc.", "Kestrel", "a Washington corporation", "1501 4th Avenue, Seattle, WA 98101"),
            new Company("O'Neill Facilities Management Ltd", "O'Neill", "a company registered in Ireland", "Unit 4, Park West, Dublin 12"),
            new Company("Müller Logistik GmbH", "Müller", "a German limited liability company", "Hafenstraße 8, 20457 Hamburg"),
            new Company("Redwood Property Trust", "Landlord", "a Maryland real estate investment trust", "2200 Mission College Blvd, Santa Clara, CA 95054"),
            new Company("Silverline Components Co., Ltd.", "Silverline", "a company organised under the laws of Taiwan", "No. 18, Keji Road, Hsinchu Science Park"),
            new Company("Tanaka Precision Trading K.K.", "Tanaka", "a Japanese kabushiki kaisha", "2-7-1 Marunouchi, Chiyoda-ku, Tokyo"),
            new Company("Brightline Foods, LLC", "Brightline", "a Texas limited liability company", "900 Congress Avenue, Austin, TX 78701"),
            new Company("Atlas Staffing Solutions Inc.", "Atlas", "an Ontario corporation", "181 Bay Street, Toronto, ON M5J 2T3"),
            new Company("Harbourside Estates Limited", "Landlord", "a company registered in England and Wales", "3 More London Riverside, London SE1 2RE"),
            new Company("Pixel & Co. Design Studio", "Pixel & Co.", "a California general partnership", "55 Stockton Street, San Francisco, CA 94108"),
            new Company("Zeta Freight Forwarding, S.A.", "Zeta", "a Spanish sociedad anónima", "Calle de Alcalá 45, 28014 Madrid"),
            new Company("Quantum Ledger Security Ltd.", "Quantum Ledger", "an Israeli private company", "Rothschild Blvd 22, Tel Aviv"),
            new Company("Bluebird Office Supplies, Inc.", "Bluebird", "an Illinois corporation", "233 S. Wacker Drive, Chicago, IL 60606"),
            new Company("Greenfield Data Centers B.V.", "Greenfield", "a Dutch besloten vennootschap", "Gustav Mahlerlaan 10, 1082 PP Amsterdam"),
            new Company("Meridian Translation Services", "Meridian", "a sole proprietorship", "14 Rue de Rivoli, 75004 Paris"),
            new Company("Ironclad Packaging Corp.", "Ironclad", "an Ohio corporation", "100 E. Broad Street, Columbus, OH 43215"),
            new Company("Summit Ridge Commercial Realty, L.P.", "Landlord", "a Colorado limited partnership", "1801 California Street, Denver, CO 80202"),
            new Company("Nordic Sensor AB", "Nordic Sensor", "a Swedish aktiebolag", "Kungsgatan 30, 111 35 Stockholm"),
            new Company("Chen & Wu Consulting Group", "Chen & Wu", "a Singapore private limited company", "8 Marina View, #30-01, Singapore 018960"),
            new Company("Lakeside Medical Devices, Inc.", "Lakeside", "a Minnesota corporation", "80 S. 8th Street, Minneapolis, MN 55402"),
            new Company("Vantage Print & Mail Ltd", "Vantage", "a company registered in Scotland", "50 Lothian Road, Edinburgh EH3 9WJ"),
            new Company("Crescent Security Patrol, Inc.", "Crescent", "a Georgia corporation", "191 Peachtree Street NE, Atlanta, GA 30303"),
            new Company("Helios Energy Partners GmbH", "Helios", "a German limited liability company", "Leopoldstraße 20, 80802 München"),
            new Company("Orchid Biotech Research Pte. Ltd.", "Orchid", "a Singapore private limited company", "1 Biopolis Drive, Singapore 138622"),
            new Company("Fairway Catering Co.", "Fairway", "a Massachusetts corporation", "75 State Street, Boston, MA 02109"),
            new Company("Delta \"Rapid\" Couriers, Inc.", "Delta Rapid", "a New Jersey corporation", "1 Gateway Center, Newark, NJ 07102"),
            new Company("Summerset Software S.à r.l.", "Summerset", "a Luxembourg private limited company", "2 Rue Albert Borschette, L-1246 Luxembourg"),
            new Company("Patel Engineering Services Pvt. Ltd.", "Patel Engineering", "an Indian private limited company", "Bandra Kurla Complex, Mumbai 400051"),
            new Company("Westbrook Cleaning Services, LLC", "Westbrook", "a Delaware limited liability company", "2 Penn Plaza, New York, NY 10121")};

    static final String[] SERVICE_KINDS = {
            "cloud hosting and managed infrastructure services", "software development services", "IT support and help desk services",
            "data labelling services", "marketing and design services", "translation and localisation services",
            "security monitoring and incident response services", "payroll processing services", "facilities cleaning services",
            "legal research support services", "recruitment and staffing services", "market research and survey services"};
    static final String[] PRODUCTS = {"temperature sensor modules", "corrugated shipping cartons", "printed circuit boards",
            "office paper and consumables", "lithium battery packs", "stainless steel enclosures", "fresh and frozen food products",
            "medical-grade nitrile gloves", "LED lighting assemblies", "custom injection-moulded parts"};
    static final String[] SIGNATORIES = {"Maria Gonzalez, Chief Operating Officer", "James O'Connor, General Counsel",
            "Aiko Tanaka, Director of Procurement", "Søren Madsen, Managing Director", "Priya Raman, VP Finance",
            "Chinedu Okafor, Head of Legal", "François Dubois, Geschäftsführer", "Emma Schultz, Chief Financial Officer",
            "Rafael Costa, President", "Grace Kim, Senior Counsel", "Łukasz Nowak, Procurement Manager", "Yusuf Demir, CEO"};

    static final DateTimeFormatter US = DateTimeFormatter.ofPattern("MMMM d, yyyy", Locale.ENGLISH);
    static final DateTimeFormatter UK = DateTimeFormatter.ofPattern("d MMMM yyyy", Locale.ENGLISH);
    static final DateTimeFormatter DOTS = DateTimeFormatter.ofPattern("dd.MM.yyyy", Locale.ENGLISH);

    public static void main(String[] args) {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 2026L;
        Random random = new Random(seed);
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8)));
        out.print("contract_id,title,counterparty,text\n");
        for (int i = 1; i <= count; i++) {
            Contract c = new Contract(i, random);
            out.print(csv(String.format("C-%04d", i)) + "," + csv(c.title) + "," + csv(c.them.name()) + "," + csv(c.text()) + "\n");
        }
        out.flush();
    }

    /** One contract being written: its facts are chosen first, then the text states them. */
    static final class Contract {
        final Random r;
        final int kind; // 0 services, 1 nda, 2 lease, 3 supply
        final boolean longForm;
        final Entity us;
        final Company them;
        final String title;
        final LocalDate effective;
        final String product;
        final String serviceKind;
        final StringBuilder b = new StringBuilder();
        int section = 0;
        String usRole;
        String themRole;
        String payer;

        Contract(int n, Random r) {
            this.r = r;
            int k = r.nextInt(100);
            // about 5% are long: every contract whose number is 7 mod 20, a services or supply agreement
            this.longForm = n % 20 == 7;
            this.kind = longForm ? (k < 60 ? 0 : 3) : k < 40 ? 0 : k < 65 ? 1 : k < 80 ? 2 : 3;
            this.us = OURS[r.nextInt(OURS.length)];
            this.them = pickThem();
            this.effective = LocalDate.of(2021, 1, 1).plusDays(r.nextInt(5 * 365));
            this.product = PRODUCTS[r.nextInt(PRODUCTS.length)];
            this.serviceKind = SERVICE_KINDS[r.nextInt(SERVICE_KINDS.length)];
            this.title = switch (kind) {
                case 0 -> pick(new String[]{"Master Services Agreement", "Professional Services Agreement", "Consulting Agreement",
                        "Software as a Service Subscription Agreement", "Managed Services Agreement", "Statement of Work No. " + (1 + r.nextInt(12))});
                case 1 -> pick(new String[]{"Mutual Non-Disclosure Agreement", "Non-Disclosure Agreement", "Confidentiality Agreement",
                        "Mutual Confidentiality and Non-Use Agreement"});
                case 2 -> pick(new String[]{"Commercial Lease Agreement", "Office Lease", "Lease of Warehouse Premises", "Sublease Agreement"});
                default -> pick(new String[]{"Supply Agreement", "Master Purchase Agreement", "Framework Supply Agreement",
                        "Exclusive Distribution and Supply Agreement"});
            };
        }

        Company pickThem() {
            for (int tries = 0; ; tries++) {
                Company c = COUNTERPARTIES[r.nextInt(COUNTERPARTIES.length)];
                boolean landlord = c.shortName().equals("Landlord");
                if (kind == 2 ? landlord : !landlord) return c;
            }
        }

        String pick(String[] options) {
            return options[r.nextInt(options.length)];
        }

        String date(LocalDate d) {
            int f = r.nextInt(10);
            if (f < 4) return d.format(US);
            if (f < 7) return d.format(UK);
            if (f == 7) return d.toString();
            if (f == 8) return d.format(DOTS);
            return "the " + ordinal(d.getDayOfMonth()) + " day of " + d.format(DateTimeFormatter.ofPattern("MMMM, yyyy", Locale.ENGLISH));
        }

        String money(String currency, double amount) {
            String n = String.format(Locale.US, "%,.2f", amount);
            int f = r.nextInt(6);
            if (currency.equals("EUR") && f < 2) return String.format(Locale.GERMANY, "%,.2f", amount) + " EUR";
            if (currency.equals("USD") && f < 3) return "$" + n + " (US dollars)";
            if (currency.equals("GBP") && f < 3) return "£" + n;
            return currency + " " + n;
        }

        String heading(String name) {
            section++;
            b.append("\n\n").append(section).append(". ").append(name.toUpperCase(Locale.ROOT)).append("\n");
            return section + "";
        }

        void para(String s) {
            b.append(s).append('\n');
        }

        String text() {
            String titleLine = title.toUpperCase(Locale.ROOT);
            b.append(titleLine).append("\n\n");
            roles();
            preamble();
            if (longForm) definitions();
            switch (kind) {
                case 0 -> services();
                case 1 -> nda();
                case 2 -> lease();
                default -> supply();
            }
            if (longForm) {
                longClauses(); // the boilerplate, then governing law, then a schedule: governing law sits in a later chunk
                writeLawClause();
                schedule();
            }
            closing();
            return b.toString().replace("%US%", us.shortName()).replace("%THEM%", them.shortName());
        }

        void roles() {
            switch (kind) {
                case 0 -> {
                    boolean weBuy = r.nextInt(10) < 8;
                    usRole = weBuy ? "Customer" : "Supplier";
                    themRole = weBuy ? "Supplier" : "Customer";
                }
                case 1 -> {
                    boolean mutual = title.contains("Mutual") || r.nextBoolean();
                    usRole = mutual ? "a Party" : r.nextBoolean() ? "Discloser" : "Recipient";
                    themRole = mutual ? "a Party" : usRole.equals("Discloser") ? "Recipient" : "Discloser";
                }
                case 2 -> {
                    usRole = "Tenant";
                    themRole = "Landlord";
                }
                default -> {
                    usRole = "Buyer";
                    themRole = "Supplier";
                }
            }
            payer = usRole.equals("Supplier") ? themRole : usRole;
        }

        void preamble() {
            String role1 = usRole.equals("a Party") ? "" : " (\"" + usRole + "\")";
            String role2 = themRole.equals("a Party") ? "" : " (\"" + themRole + "\")";
            String ours = us.name() + ", " + us.incorporation() + " having its principal place of business at " + us.address() + role1;
            String theirs = them.name() + ", " + them.incorporation() + " with offices at " + them.address() + role2;
            boolean weFirst = r.nextBoolean();
            int f = r.nextInt(3);
            if (f == 0) {
                para("This " + title + " (the \"Agreement\") is entered into as of " + date(effective)
                        + " (the \"Effective Date\") by and between " + (weFirst ? ours + ", and " + theirs : theirs + ", and " + ours) + ".");
            } else if (f == 1) {
                para("THIS AGREEMENT is made on " + date(effective) + "\n\nBETWEEN:\n\n(1) " + (weFirst ? ours : theirs)
                        + "; and\n\n(2) " + (weFirst ? theirs : ours) + ".\n\n(each a \"Party\" and together the \"Parties\")");
                para("\nThis Agreement takes effect on the date written above (the \"Effective Date\").");
            } else {
                para("Effective Date: " + date(effective) + "\nParties: " + us.name() + role1 + " and " + them.name() + role2 + ".");
                para("\nThis " + title + " sets out the terms on which the Parties will work together.");
            }
            para("\nRECITALS\n\nWHEREAS, " + recital() + ";\n\nNOW, THEREFORE, in consideration of the mutual covenants contained herein, "
                    + "the Parties agree as follows:");
        }

        String recital() {
            return switch (kind) {
                case 0 -> "the Supplier is in the business of providing " + serviceKind
                        + " and the Customer wishes to engage the Supplier on the terms of this Agreement";
                case 1 -> "the Parties wish to explore a potential " + pick(new String[]{"joint venture", "data-sharing arrangement",
                        "acquisition of certain assets", "technology licence", "commercial partnership"}) + " (the \"Purpose\") and, in doing so, "
                        + "may disclose confidential information to each other";
                case 2 -> "Landlord is the owner of the premises described below and wishes to let them to Tenant";
                default -> "Supplier manufactures " + product + " and Buyer wishes to purchase such products on the terms below";
            };
        }

        // ------------------------------------------------------------ per kind

        LocalDate end;
        boolean autoRenew;

        /** The term clause: a fixed end (stated or implied by months), or evergreen (no end date). */
        void term(int evergreenPercent) {
            heading("Term");
            int months = new int[]{12, 12, 24, 24, 36, 36, 48, 60}[r.nextInt(8)];
            end = effective.plusMonths(months).minusDays(1);
            if (r.nextInt(100) < evergreenPercent) {
                end = null;
                para("This Agreement commences on the Effective Date and shall continue in full force and effect until terminated "
                        + "by either Party in accordance with Section " + (section + 2) + ". There is no fixed expiry date.");
            } else if (r.nextBoolean()) {
                para("This Agreement commences on the Effective Date and, unless terminated earlier, expires on " + date(end)
                        + " (the \"Initial Term\").");
            } else {
                para("This Agreement shall commence on the Effective Date and continue for an initial period of " + months
                        + " months (the \"Initial Term\"), unless terminated earlier in accordance with its terms.");
            }
        }

        void renewal() {
            heading("Renewal");
            int f = r.nextInt(10);
            if (end == null) {
                para("As this Agreement has no fixed term, no renewal is required. Either Party may review the pricing once "
                        + "in each calendar year by written notice.");
                autoRenew = false;
            } else if (f < 5) {
                autoRenew = true;
                int notice = new int[]{30, 60, 60, 90, 90, 120}[r.nextInt(6)];
                para("Upon expiry of the Initial Term, this Agreement shall automatically renew for successive renewal periods of "
                        + pick(new String[]{"twelve (12) months", "one (1) year", "two (2) years"}) + " (each a \"Renewal Term\") unless either "
                        + "Party gives the other written notice of non-renewal at least " + words(notice) + " (" + notice
                        + ") days before the end of the then-current term.");
            } else if (f < 8) {
                autoRenew = false;
                para("This Agreement shall not renew automatically. The Parties may agree in writing to extend it for a further "
                        + "period on terms to be agreed.");
            } else {
                autoRenew = false;
                para("The " + payer + " may extend this Agreement once, for a further period of " + pick(new String[]{"one year", "two years", "six months"})
                        + ", by giving written notice at least " + (30 * (1 + r.nextInt(6))) + " days before expiry of the Initial Term.");
            }
        }

        void termination(boolean oneSided) {
            heading("Termination");
            int notice = new int[]{30, 60, 90}[r.nextInt(3)];
            if (oneSided) {
                para(them.shortName() + " may terminate this Agreement for convenience at any time on " + notice
                        + " days' written notice. %US% may terminate this Agreement only for material breach as set out below.");
            } else if (r.nextBoolean()) {
                para("Either Party may terminate this Agreement for convenience on " + notice + " days' prior written notice to the other Party.");
            }
            para("Either Party may terminate this Agreement immediately by written notice if the other Party (a) commits a material breach "
                    + "that is not remedied within thirty (30) days after receiving written notice of it, or (b) becomes insolvent, makes an "
                    + "assignment for the benefit of creditors, or has a receiver or administrator appointed over its assets.");
            para("Termination shall not affect any rights or liabilities that have accrued before the date of termination.");
        }

        void liability(boolean uncapped) {
            heading("Limitation of Liability");
            if (uncapped) {
                para("Nothing in this Agreement limits the liability of " + (payer.equals(usRole) ? "%US%" : "%THEM%")
                        + " for any loss or damage of whatever nature arising under or in connection with this Agreement, "
                        + "and no cap on liability shall apply to it.");
            } else {
                para("Except for breach of confidentiality, indemnification obligations or fraud, neither Party shall be liable for any "
                        + "indirect, incidental, special or consequential damages, and each Party's aggregate liability under this Agreement "
                        + "shall not exceed the total fees paid or payable in the twelve (12) months preceding the event giving rise to the claim.");
            }
        }

        /** In a long contract the clause comes after the boilerplate, near the end, as in most real ones. */
        void lawClause() {
            if (!longForm) writeLawClause();
        }

        void writeLawClause() {
            if (r.nextInt(100) < 4) return; // no governing-law clause at all: governing_law is null
            heading("Governing Law and Jurisdiction");
            String law = r.nextInt(4) == 0 ? pick(new String[]{"the laws of the State of New York", "the laws of the State of Delaware",
                    "the laws of England and Wales", "the laws of the Province of Ontario", "the laws of Singapore",
                    "the laws of the State of California"}) : us.law();
            para("This Agreement and any dispute or claim arising out of or in connection with it shall be governed by and construed in "
                    + "accordance with " + law + ", without regard to its conflict of laws principles. The courts located in the relevant "
                    + "jurisdiction shall have exclusive jurisdiction to settle any such dispute.");
        }

        void services() {
            String kindOfService = serviceKind;
            heading("Services");
            para("The Supplier shall provide the following services to the Customer: " + kindOfService + ", as more fully described in each "
                    + "statement of work agreed by the Parties (each an \"SOW\") (the \"Services\"). The Supplier shall perform the Services with "
                    + "reasonable skill, care and diligence and in accordance with good industry practice.");
            if (r.nextInt(3) == 0) para("The Supplier shall provide a written monthly report on service performance by the fifth (5th) business day of each month.");
            term(6);
            heading("Fees and Payment");
            String cur = r.nextInt(8) == 0 ? pick(new String[]{"USD", "EUR", "GBP", "CAD", "SGD"}) : us.currency();
            int f = r.nextInt(100);
            if (f < 7) {
                para("The Services shall be charged on a time-and-materials basis at the hourly rates set out in each SOW. No fixed fee "
                        + "applies under this Agreement.");
            } else if (f < 12) {
                para("Fees are as set out in each Order Form executed under this Agreement.");
            } else if (f < 50) {
                para("In consideration of the Services, the Customer shall pay the Supplier a monthly fee of " + money(cur, round(2000 + r.nextInt(40000)))
                        + ", invoiced monthly in advance.");
            } else if (f < 80) {
                para("The Customer shall pay an annual subscription fee of " + money(cur, round(12000 + r.nextInt(400000)))
                        + ", invoiced annually in advance on the Effective Date and on each anniversary of it.");
            } else {
                para("The Customer shall pay a one-time fixed fee of " + money(cur, round(5000 + r.nextInt(150000)))
                        + " for the Services, payable in two instalments of fifty percent (50%) on signature and on acceptance.");
            }
            para("Invoices are payable within " + pick(new String[]{"thirty (30)", "forty-five (45)", "sixty (60)", "fourteen (14)"})
                    + " days of receipt. All amounts are exclusive of VAT and other applicable taxes.");
            if (r.nextInt(5) == 0) para("Late payments shall bear interest at the rate of one and one-half percent (1.5%) per month until paid in full.");
            if (r.nextInt(6) == 0) para("The Supplier may increase its fees once in each year by up to seven percent (7%) on sixty (60) days' notice.");
            renewal();
            heading("Confidentiality");
            para("Each Party shall keep confidential all information of the other Party that it receives under this Agreement and shall "
                    + "use it only to perform its obligations or exercise its rights under this Agreement.");
            if (r.nextInt(6) == 0) {
                heading("Indemnification");
                para("The " + (r.nextBoolean() ? "Customer" : "Supplier") + " shall indemnify, defend and hold harmless the other Party "
                        + "from and against any and all claims, losses, damages, liabilities, costs and expenses of any kind whatsoever, "
                        + "whether or not arising from its own negligence.");
            }
            if (r.nextInt(10) == 0) {
                heading("Non-Solicitation and Non-Competition");
                para("During the term and for twelve (12) months thereafter, the Customer shall not engage any other provider of "
                        + kindOfService + " and shall not solicit any employee of the Supplier.");
            }
            liability(r.nextInt(8) == 0);
            termination(r.nextInt(7) == 0);
            lawClause();
        }

        void nda() {
            heading("Confidential Information");
            para("\"Confidential Information\" means all information disclosed by " + (usRole.equals("a Party") ? "either Party" : "the Discloser")
                    + " in connection with the Purpose, whether orally, in writing or in any other form, including business plans, "
                    + "customer lists, source code, pricing and financial information, that is marked as confidential or would reasonably be "
                    + "understood to be confidential.");
            heading("Obligations of the Recipient");
            para("The " + (usRole.equals("a Party") ? "receiving Party" : "Recipient") + " shall (a) use the Confidential Information solely "
                    + "for the Purpose; (b) not disclose it to any third party other than its employees and advisers who need to know it "
                    + "and are bound by equivalent obligations; and (c) protect it with at least the degree of care it uses for its own "
                    + "confidential information, and no less than reasonable care.");
            para("Upon written request, the " + (usRole.equals("a Party") ? "receiving Party" : "Recipient")
                    + " shall within " + pick(new String[]{"ten (10)", "fifteen (15)", "thirty (30)"}) + " days return or destroy all "
                    + "Confidential Information and certify the destruction in writing.");
            heading("Exclusions");
            para("These obligations do not apply to information that is or becomes public through no fault of the recipient, was "
                    + "lawfully known to it before disclosure, or is independently developed without use of the Confidential Information.");
            heading("Term");
            int years = 1 + r.nextInt(3);
            if (r.nextInt(100) < 15) {
                end = null;
                para("This Agreement remains in force until terminated by either Party on thirty (30) days' written notice. The "
                        + "confidentiality obligations survive termination for " + words(3 + r.nextInt(3)) + " years.");
            } else {
                end = effective.plusYears(years).minusDays(1);
                int survive = 2 + r.nextInt(4);
                para("This Agreement expires on " + date(end) + ". The obligations of confidentiality shall survive expiry or termination "
                        + "for a period of " + words(survive) + " (" + survive + ") years.");
            }
            para("No payment is due from either Party under this Agreement.");
            if (r.nextInt(5) == 0) {
                heading("Non-Solicitation");
                para("For twelve (12) months after the Effective Date, neither Party shall solicit for employment any employee of the "
                        + "other Party with whom it had contact in connection with the Purpose.");
            }
            if (r.nextInt(8) == 0) {
                heading("Remedies");
                para("The disclosing party shall be entitled to liquidated damages of " + money(us.currency(), round(25000 + r.nextInt(200000)))
                        + " for each breach of this Agreement, in addition to injunctive relief.");
            }
            lawClause();
        }

        void lease() {
            heading("Premises");
            String use = pick(new String[]{"general office use", "warehouse and light distribution", "a research laboratory", "a data operations centre"});
            int sqft = 1500 + r.nextInt(40000);
            para("Landlord leases to Tenant the premises known as " + pick(new String[]{"Suite 400", "Unit 7", "the Third Floor", "Building B", "Bay 12"})
                    + ", comprising approximately " + String.format(Locale.US, "%,d", sqft) + " square feet (the \"Premises\"), to be used solely for "
                    + use + ".");
            heading("Term");
            int years = new int[]{3, 5, 5, 7, 10}[r.nextInt(5)];
            end = effective.plusYears(years).minusDays(1);
            if (r.nextInt(100) < 5) {
                end = null;
                para("The tenancy commences on the Effective Date and runs from month to month until terminated by either Party on "
                        + "ninety (90) days' written notice.");
            } else {
                para("The term of this Lease commences on " + date(effective) + " and ends on " + date(end) + " (the \"Term\").");
            }
            heading("Rent");
            double rent = round(sqft * (1.5 + r.nextInt(40) / 10.0));
            String cur = us.currency();
            para("Tenant shall pay Landlord a monthly base rent of " + money(cur, rent) + ", payable in advance on the first day of each "
                    + "calendar month, together with its proportionate share of operating expenses and property taxes.");
            para("Tenant shall deposit a security deposit equal to " + words(2 + r.nextInt(3)) + " months' base rent on signature.");
            if (r.nextInt(3) == 0) para("Base rent shall increase by three percent (3%) on each anniversary of the commencement date.");
            if (r.nextInt(5) == 0) para("Any rent not paid within five (5) days of its due date shall incur a late charge of five percent (5%) of the overdue amount.");
            renewal();
            heading("Maintenance and Repairs");
            para("Landlord shall maintain the roof, structure, common areas and building systems in good repair. Tenant shall keep the "
                    + "interior of the Premises in good, clean condition and shall not make structural alterations without Landlord's prior written consent.");
            heading("Insurance");
            para("Tenant shall maintain commercial general liability insurance of not less than " + money(cur, 1000000 + 1000000 * r.nextInt(4))
                    + " per occurrence and shall name Landlord as an additional insured.");
            if (r.nextInt(6) == 0) {
                heading("Indemnity");
                para("Tenant shall indemnify Landlord against any and all claims arising from the use of the Premises, howsoever caused, "
                        + "including claims arising from Landlord's own negligence.");
            }
            termination(r.nextInt(8) == 0);
            lawClause();
        }

        void supply() {
            heading("Supply of Products");
            para("Supplier shall manufacture and supply to Buyer " + product + " (the \"Products\") in accordance with the specifications in "
                    + "Schedule 1 and the purchase orders issued by Buyer from time to time.");
            boolean exclusive = title.contains("Exclusive") || r.nextInt(8) == 0;
            if (exclusive) para("During the Term, Buyer shall purchase the Products exclusively from Supplier and shall not purchase competing products from any third party.");
            term(8);
            heading("Prices and Payment");
            String cur = r.nextInt(5) == 0 ? "USD" : us.currency();
            if (r.nextInt(100) < 8) {
                para("Prices for the Products shall be as set out in Supplier's price list in force on the date of each purchase order.");
            } else {
                para("The price of the Products is " + money(cur, round2(0.4 + r.nextInt(20000) / 100.0)) + " per unit, "
                        + pick(new String[]{"FCA Supplier's factory (Incoterms 2020)", "DAP Buyer's warehouse (Incoterms 2020)", "EXW (Incoterms 2020)"}) + ".");
            }
            para("Buyer shall pay each invoice within " + pick(new String[]{"thirty (30)", "forty-five (45)", "sixty (60)"}) + " days of the invoice date.");
            if (r.nextInt(4) == 0) para("Supplier may adjust prices annually in line with the change in the consumer price index plus two percent (2%).");
            if (r.nextInt(3) == 0) para("Buyer shall order a minimum of " + String.format(Locale.US, "%,d", 1000 * (5 + r.nextInt(200))) + " units in each contract year.");
            renewal();
            heading("Delivery");
            para("Supplier shall deliver the Products within " + (10 + r.nextInt(50)) + " days of accepting a purchase order. If Supplier fails "
                    + "to deliver on time, Buyer may claim a rebate of " + (1 + r.nextInt(3)) + "% of the price of the late Products for each week of delay.");
            heading("Warranty");
            para("Supplier warrants that the Products will conform to the specifications and be free from defects in materials and "
                    + "workmanship for " + (12 + 6 * r.nextInt(4)) + " months from delivery, and shall repair or replace any non-conforming Products.");
            liability(r.nextInt(10) == 0);
            termination(r.nextInt(8) == 0);
            lawClause();
        }

        // ------------------------------------------------------------ long form

        void definitions() {
            heading("Definitions and Interpretation");
            String[][] defs = {{"Affiliate", "any entity that directly or indirectly controls, is controlled by, or is under common control with a Party, where control means ownership of more than fifty percent (50%) of the voting interests"},
                    {"Applicable Law", "all laws, statutes, regulations, codes and binding guidance of any governmental authority that apply to a Party or to the subject matter of this Agreement"},
                    {"Business Day", "a day other than a Saturday, Sunday or public holiday in the place where the relevant obligation is to be performed"},
                    {"Change", "any change to the scope, specifications, timetable or charges agreed in accordance with the change control procedure"},
                    {"Data Protection Legislation", "all applicable data protection and privacy laws, including where applicable the General Data Protection Regulation (EU) 2016/679 and the UK GDPR"},
                    {"Deliverables", "all documents, products, software and materials developed by or on behalf of a Party in the course of performing this Agreement"},
                    {"Good Industry Practice", "the exercise of the degree of skill, care, prudence, efficiency and foresight that would reasonably be expected from a leading provider of similar goods or services"},
                    {"Intellectual Property Rights", "patents, rights to inventions, copyright and related rights, trade marks, business names, rights in designs, rights in computer software, database rights and all similar rights anywhere in the world"},
                    {"Personnel", "all employees, officers, agents, consultants and subcontractors of a Party engaged in the performance of this Agreement"},
                    {"Security Incident", "any actual or reasonably suspected unauthorised access to, or loss, disclosure or alteration of, data processed under this Agreement"}};
            for (String[] d : defs) para("\"" + d[0] + "\" means " + d[1] + ";");
            para("Headings do not affect interpretation. Words in the singular include the plural and vice versa. A reference to a statute "
                    + "is a reference to it as amended or re-enacted from time to time.");
        }

        static final String[][] LONG_CLAUSES = {
                {"Personnel", "Each Party shall ensure that its Personnel are suitably qualified, experienced and vetted in accordance with Good Industry Practice. The Supplier shall not remove or replace any key Personnel named in an SOW without the Customer's prior written consent, not to be unreasonably withheld. The Customer may require the removal of any individual whose conduct it reasonably considers detrimental to the performance of this Agreement, and the Supplier shall provide a suitably qualified replacement within ten (10) Business Days."},
                {"Subcontracting", "The Supplier shall not subcontract any of its obligations without the prior written consent of the Customer. Where consent is given, the Supplier remains fully responsible for the acts and omissions of its subcontractors as if they were its own, and shall ensure that each subcontract contains terms no less protective of the Customer than those of this Agreement."},
                {"Data Protection", "Each Party shall comply with the Data Protection Legislation. To the extent that the Supplier processes personal data on behalf of the Customer, it shall (a) process it only on the Customer's documented instructions; (b) ensure that persons authorised to process it are bound by confidentiality; (c) implement appropriate technical and organisational measures to protect it; (d) not engage another processor without the Customer's prior written authorisation; (e) assist the Customer in responding to requests from data subjects; (f) notify the Customer without undue delay, and in any case within forty-eight (48) hours, after becoming aware of a Security Incident; and (g) at the Customer's choice, delete or return all personal data at the end of the provision of services."},
                {"Information Security", "The Supplier shall maintain an information security programme certified to ISO/IEC 27001 or an equivalent standard, including encryption of data in transit and at rest, multi-factor authentication for administrative access, quarterly vulnerability scanning, and annual penetration testing by an independent third party. The Supplier shall remediate critical vulnerabilities within seven (7) days and high vulnerabilities within thirty (30) days of their discovery."},
                {"Audit", "Upon thirty (30) days' written notice, and not more than once in any twelve-month period unless a Security Incident has occurred, the Customer or its independent auditor may audit the Supplier's records, systems and facilities to verify compliance with this Agreement. The Supplier shall provide reasonable cooperation and access during normal business hours."},
                {"Intellectual Property", "Each Party retains all Intellectual Property Rights it owned before the Effective Date. Subject to payment of the applicable fees, all Intellectual Property Rights in the Deliverables created specifically for the Customer vest in the Customer upon creation, and the Supplier hereby assigns them to the Customer. The Supplier grants the Customer a non-exclusive, perpetual, royalty-free licence to use any pre-existing materials incorporated in the Deliverables."},
                {"Warranties", "Each Party warrants that it has full power and authority to enter into this Agreement, that it will comply with Applicable Law, and that the execution of this Agreement does not breach any other agreement by which it is bound. The Supplier further warrants that the Deliverables will not infringe the Intellectual Property Rights of any third party."},
                {"Insurance", "The Supplier shall maintain, with reputable insurers, professional indemnity insurance of not less than five million (5,000,000) in the currency of this Agreement for each claim, public liability insurance of not less than ten million (10,000,000), and employer's liability insurance as required by law, and shall provide certificates of insurance on request."},
                {"Force Majeure", "Neither Party shall be liable for any delay or failure to perform caused by events beyond its reasonable control, including natural disasters, epidemics, war, terrorism, governmental action, or failure of public utilities, provided that it promptly notifies the other Party and uses reasonable endeavours to mitigate the effect. If a force majeure event continues for more than sixty (60) days, either Party may terminate the affected part of this Agreement on written notice."},
                {"Business Continuity", "The Supplier shall maintain and test at least annually a business continuity and disaster recovery plan designed to restore the Services within the recovery time objective of four (4) hours and the recovery point objective of one (1) hour, and shall provide the Customer with a summary of each test result."},
                {"Change Control", "Either Party may request a Change by written notice. Within ten (10) Business Days the Supplier shall provide an impact assessment setting out the effect of the Change on the Services, the timetable and the charges. No Change shall take effect until it is recorded in a change note signed by authorised representatives of both Parties."},
                {"Governance", "Each Party shall appoint a relationship manager. The relationship managers shall meet at least monthly to review performance, risks and planned Changes, and a steering committee of senior representatives shall meet quarterly. Minutes of each meeting shall be circulated within five (5) Business Days."},
                {"Dispute Resolution", "Any dispute shall first be referred to the relationship managers, who shall attempt to resolve it within ten (10) Business Days. Failing that, it shall be escalated to the steering committee, and thereafter the Parties may attempt to settle it by mediation before commencing court proceedings. Nothing in this clause prevents a Party from seeking urgent injunctive relief."},
                {"Exit Assistance", "On expiry or termination for any reason, the Supplier shall for up to six (6) months provide such assistance as the Customer reasonably requires to transfer the Services to the Customer or a replacement provider, including the return of all Customer data in a commonly used machine-readable format, at the rates then in force."},
                {"Anti-Bribery and Sanctions", "Each Party shall comply with all applicable anti-bribery and anti-corruption laws, including the UK Bribery Act 2010 and the US Foreign Corrupt Practices Act, and with applicable export control and sanctions regimes, and shall maintain adequate procedures to prevent bribery by its Personnel."},
                {"Assignment", "Neither Party may assign, transfer or novate this Agreement without the prior written consent of the other Party, except that either Party may assign it to an Affiliate or to a successor to all or substantially all of its business on written notice."},
                {"Notices", "Notices shall be in writing and delivered by hand, by registered post or by email with confirmation of receipt to the addresses set out at the head of this Agreement or such other address as a Party notifies. A notice is deemed received on delivery by hand, two (2) Business Days after posting, or on the next Business Day after transmission by email."},
                {"Publicity", "Neither Party shall make any public announcement about this Agreement or use the other Party's name or logo without its prior written approval, except as required by law or the rules of a stock exchange."},
                {"Entire Agreement", "This Agreement, together with its Schedules and any SOWs or purchase orders issued under it, constitutes the entire agreement between the Parties and supersedes all prior negotiations, representations and agreements relating to its subject matter. In the event of a conflict, the body of this Agreement prevails over the Schedules."},
                {"Severability and Waiver", "If any provision of this Agreement is held invalid or unenforceable, the remaining provisions continue in effect. No failure or delay in exercising a right operates as a waiver of it, and no single or partial exercise prevents any further exercise of that or any other right."},
                {"Environmental and Social Responsibility", "The Supplier shall comply with the Customer's supplier code of conduct as updated from time to time, including its requirements on modern slavery, health and safety, diversity and environmental management, and shall report annually on its greenhouse gas emissions attributable to the performance of this Agreement."},
                {"Records", "The Supplier shall keep complete and accurate records of all work performed and charges invoiced under this Agreement for at least six (6) years after its expiry or termination and shall make them available to the Customer on reasonable request."}};

        int scheduleTarget;

        void longClauses() {
            int target = scheduleTarget = 17000 + r.nextInt(11000);
            List<String[]> pool = new ArrayList<>(List.of(LONG_CLAUSES));
            while (b.length() < target - 6000 && !pool.isEmpty()) {
                String[] clause = pool.remove(r.nextInt(pool.size()));
                String n = heading(clause[0]);
                String[] sentences = clause[1].split("(?<=\\.) ");
                for (int i = 0; i < sentences.length; i++) {
                    String s = kind == 3 ? sentences[i].replace("Customer", "Buyer") : sentences[i];
                    para(n + "." + (i + 1) + " " + s);
                }
            }
        }

        void schedule() {
            int target = scheduleTarget;
            // a schedule of line items fills the rest: service levels, a price list or a schedule of dilapidations
            b.append("\n\nSCHEDULE 2 - ").append(kind == 3 ? "PRICE LIST" : kind == 2 ? "SCHEDULE OF CONDITION" : "SERVICE LEVELS").append("\n");
            int item = 1;
            while (b.length() < target) {
                if (kind == 3) {
                    b.append(String.format(Locale.US, "Item %d. Part no. %s-%04d, %s, batch of %d units, reference price per unit %.2f %s; "
                                    + "lead time %d days; minimum order %d units.%n", item, pick(new String[]{"NW", "SL", "KX", "TR"}),
                            r.nextInt(10000), pick(PRODUCTS), 50 * (1 + r.nextInt(20)), 0.4 + r.nextInt(20000) / 100.0, us.currency(),
                            10 + r.nextInt(50), 100 * (1 + r.nextInt(50))));
                } else if (kind == 2) {
                    b.append(String.format(Locale.US, "Item %d. %s: %s. Photograph ref. P-%03d. Tenant to return in the same condition, fair wear and tear excepted.%n",
                            item, pick(new String[]{"Reception area", "Loading dock", "North stairwell", "Kitchenette", "Server room", "Car park level 1", "Roof plant"}),
                            pick(new String[]{"walls freshly painted, no visible damage", "carpet tiles worn near entrance", "minor cracks to floor screed",
                                    "all light fittings working", "fire doors self-closing and signed", "ceiling tiles stained in one corner"}), item));
                } else {
                    b.append(String.format(Locale.US, "Service level %d. %s: target %s, measured %s. Service credit for each percentage point below "
                                    + "target: %d%% of the monthly charges, capped at %d%% in aggregate.%n", item,
                            pick(new String[]{"Availability of the production environment", "Response to priority 1 incidents", "Resolution of priority 2 incidents",
                                    "Completion of standard service requests", "Accuracy of monthly reports", "Backup success rate", "First-contact resolution"}),
                            pick(new String[]{"99.9%", "99.5%", "within 15 minutes", "within 4 hours", "within 2 Business Days", "98%"}),
                            pick(new String[]{"monthly", "per calendar quarter", "over each rolling 30-day period"}), 1 + r.nextInt(5), 10 + 5 * r.nextInt(4)));
                }
                item++;
            }
        }

        void closing() {
            b.append("\n\nIN WITNESS WHEREOF, the Parties have executed this Agreement by their duly authorised representatives.\n\n");
            b.append("For and on behalf of ").append(us.name()).append("\nBy: ").append(pick(SIGNATORIES)).append("\n\n");
            b.append("For and on behalf of ").append(them.name()).append("\nBy: ").append(pick(SIGNATORIES));
        }
    }

    static double round(double x) {
        return Math.round(x / 50.0) * 50.0;
    }

    static double round2(double x) {
        return Math.round(x * 100.0) / 100.0;
    }

    static String ordinal(int d) {
        if (d >= 11 && d <= 13) return d + "th";
        return d + switch (d % 10) { case 1 -> "st"; case 2 -> "nd"; case 3 -> "rd"; default -> "th"; };
    }

    static String words(int n) {
        String[] small = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"};
        if (n <= 10) return small[n];
        return switch (n) {
            case 30 -> "thirty";
            case 60 -> "sixty";
            case 90 -> "ninety";
            case 120 -> "one hundred and twenty";
            default -> Integer.toString(n);
        };
    }

    /** A CSV field (RFC 4180): quoted when it holds a comma, quote or line break; quotes doubled inside. */
    static String csv(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
