/**
 * The browser the console's tests drive, chosen by `SLUICE_CONSOLE_BROWSER`:
 * `chromium` (the default) or `firefox`. Both are the distribution's own
 * builds, driven by playwright-core with no browser download: Debian's
 * Chromium over the DevTools protocol, Debian's Firefox ESR over WebDriver
 * BiDi (playwright-core's `moz-firefox` channel, which speaks the standard
 * protocol to a stock Firefox instead of Playwright's patched build). Both run
 * headless; Firefox gets a fresh throwaway profile whose preferences keep it
 * off the network except for the loopback server under test.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, chromium, firefox } from 'playwright-core';

export type ConsoleBrowserName = 'chromium' | 'firefox';

interface ConsoleBrowser {
  readonly name: ConsoleBrowserName;
  /** For test titles: "Chromium", "Firefox". */
  readonly title: string;
  readonly executables: readonly string[];
  readonly apt: string;
}

const BROWSERS: Record<ConsoleBrowserName, ConsoleBrowser> = {
  chromium: { name: 'chromium', title: 'Chromium', executables: ['/usr/bin/chromium', '/usr/bin/chromium-browser'], apt: 'chromium' },
  firefox: { name: 'firefox', title: 'Firefox', executables: ['/usr/bin/firefox-esr', '/usr/bin/firefox'], apt: 'firefox-esr' },
};

function chosen(value: string | undefined): ConsoleBrowser {
  const name = value === undefined || value === '' ? 'chromium' : value;
  if (!(name in BROWSERS)) throw new Error(`SLUICE_CONSOLE_BROWSER=${name}: expected one of ${Object.keys(BROWSERS).join(', ')}`);
  return BROWSERS[name as ConsoleBrowserName];
}

/** The browser this run drives. */
export const BROWSER: ConsoleBrowser = chosen(process.env.SLUICE_CONSOLE_BROWSER);

/**
 * Firefox preferences that stop its background connections: telemetry and
 * health reports, update and add-on checks, the captive-portal and
 * connectivity probes, Safe Browsing list downloads, remote settings, region
 * and geolocation lookups, push, DNS-over-HTTPS, prefetching and speculative
 * connections. playwright-core's BiDi profile already sets part of these;
 * they are listed here so the closed-network profile does not depend on it.
 */
export const FIREFOX_OFFLINE_PREFS: Readonly<Record<string, string | number | boolean>> = {
  'app.normandy.enabled': false,
  'app.normandy.api_url': '',
  'app.shield.optoutstudies.enabled': false,
  'app.update.disabledForTesting': true,
  'app.update.checkInstallTime': false,
  'browser.newtabpage.enabled': false,
  'browser.newtabpage.activity-stream.feeds.telemetry': false,
  'browser.newtabpage.activity-stream.telemetry': false,
  'browser.ping-centre.telemetry': false,
  'browser.region.network.url': '',
  'browser.region.update.enabled': false,
  'browser.safebrowsing.blockedURIs.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'browser.safebrowsing.downloads.remote.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.provider.google.updateURL': '',
  'browser.safebrowsing.provider.google.gethashURL': '',
  'browser.safebrowsing.provider.google4.updateURL': '',
  'browser.safebrowsing.provider.google4.gethashURL': '',
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'browser.safebrowsing.provider.mozilla.gethashURL': '',
  'browser.search.update': false,
  'browser.startup.page': 0,
  'browser.urlbar.suggest.searches': false,
  'captivedetect.canonicalURL': '',
  'datareporting.healthreport.uploadEnabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'datareporting.usage.uploadEnabled': false,
  'dom.push.connection.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'extensions.systemAddon.update.enabled': false,
  'extensions.update.enabled': false,
  'geo.provider.network.url': '',
  'media.gmp-manager.updateEnabled': false,
  'messaging-system.rsexperimentloader.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.dns.disablePrefetch': true,
  'network.http.speculative-parallel-limit': 0,
  'network.predictor.enabled': false,
  'network.prefetch-next': false,
  'network.trr.mode': 5,
  // Firefox's own value for automation: a data: URL, so no server is asked.
  'services.settings.server': 'data:,#remote-settings-dummy/v1',
  'toolkit.telemetry.archive.enabled': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.firstShutdownPing.enabled': false,
  'toolkit.telemetry.newProfilePing.enabled': false,
  'toolkit.telemetry.server': 'data:,',
  'toolkit.telemetry.shutdownPingSender.enabled': false,
  'toolkit.telemetry.unified': false,
  'toolkit.telemetry.updatePing.enabled': false,
};

/** Launches the chosen browser headless; throws with the package to install when it is missing. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = BROWSER.executables.find((path) => existsSync(path));
  if (!executablePath) throw new Error(`${BROWSER.title} is not installed (apt-get install ${BROWSER.apt})`);
  if (BROWSER.name === 'chromium') {
    return reportingCspViolations(await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] }));
  }
  answerMediaFeatureResetsLocally();
  // Without `userDataDir`, playwright-core writes a new profile into a temporary folder and removes it on close.
  const browser = await firefox.launch({ channel: 'moz-firefox', executablePath, headless: true, firefoxUserPrefs: { ...FIREFOX_OFFLINE_PREFS } });
  return reportingCspViolations(browser);
}

/**
 * Chromium reports most of what a Content-Security-Policy blocked as console
 * errors ("… violates the following Content Security Policy directive …"),
 * but not a refused `eval`; Firefox writes them to its own web console only,
 * which WebDriver BiDi's log events do not carry. A test listening for them
 * would hear nothing and pass whatever was blocked. Every page therefore gets
 * a preload script that turns the standard `securitypolicyviolation` event
 * into a console error naming the policy, in both browsers.
 *
 * Except a violation raised by code that came through `eval`: that is the
 * automation's own code (playwright-core evaluates its scripts that way; over
 * BiDi, each screenshot briefly adds a `<style>` element to the page, which
 * Chromium's isolated worlds may do but Firefox holds to the page's policy).
 * Code the page runs itself cannot come through `eval` under a policy without
 * 'unsafe-eval', like the console's — there, `eval` is itself a violation,
 * reported from the script that tried it.
 */
function reportingCspViolations(browser: Browser): Browser {
  const newContext = browser.newContext.bind(browser);
  // `Browser.newPage` opens its page through `newContext`, so both are covered.
  browser.newContext = async (options) => {
    const context = await newContext(options);
    await context.addInitScript(() => {
      addEventListener('securitypolicyviolation', (event) => {
        if (/ > eval$/.test(decodeURIComponent(event.sourceFile))) return;
        console.error(`Content Security Policy: the page's ${event.effectiveDirective} directive blocked ${event.blockedURI || 'an inline resource'}`);
      }, true);
    });
    return context;
  };
  return browser;
}

interface BidiCommand {
  id: number;
  method: string;
  params?: { features?: Record<string, unknown> };
}

interface BidiTransport {
  send(message: BidiCommand): void;
  onmessage?: (message: unknown) => void;
}

let resetsAnswered = false;

/**
 * Every new page makes playwright-core 1.65 send
 * `emulation.setMediaFeaturesOverride` with no feature set — a reset to the
 * browser's own media features — and it fails the page when the browser does
 * not know the command. Firefox 153 ESR predates that command (it answers
 * "unknown command"), so no page could be opened at all. Such a reset changes
 * nothing in a browser where nothing was ever overridden, so the transport
 * answers it itself. A command that does override a feature still goes to
 * Firefox and fails there, so no test can believe it emulated something it
 * did not.
 */
function answerMediaFeatureResetsLocally(): void {
  if (resetsAnswered) return;
  // The transport class is exported by playwright-core's `lib/coreBundle` entry point (see its package.json "exports").
  const core = createRequire(import.meta.url)('playwright-core/lib/coreBundle') as {
    server?: { WebSocketTransport?: { prototype: BidiTransport } };
  };
  const transport = core.server?.WebSocketTransport?.prototype;
  if (!transport) throw new Error('playwright-core no longer exports server.WebSocketTransport: revisit answerMediaFeatureResetsLocally');
  const send = transport.send;
  transport.send = function (this: BidiTransport, message: BidiCommand) {
    const features = message.params?.features;
    if (message.method === 'emulation.setMediaFeaturesOverride' && features && Object.values(features).every((value) => value == null)) {
      // Answered after the caller has registered its callback for this id, as a real answer would be.
      setImmediate(() => this.onmessage?.({ type: 'success', id: message.id, result: {} }));
      return;
    }
    send.call(this, message);
  };
  resetsAnswered = true;
}
