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
import { createHash } from 'node:crypto';
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
  adaptBidiTransport();
  // Without `userDataDir`, playwright-core writes a new profile into a temporary folder and removes it on close.
  const browser = await firefox.launch({ channel: 'moz-firefox', executablePath, headless: true, firefoxUserPrefs: { ...FIREFOX_OFFLINE_PREFS } });
  return reportingCspViolations(browser);
}

/**
 * Chromium reports most of what a Content-Security-Policy blocked as console
 * errors ("… violates the following Content Security Policy directive …"),
 * but not a refused `eval`; Firefox reports them as script errors in its own
 * words ("The page's settings blocked …"), which reach a test as page errors,
 * never as console messages. A test listening to the console for the policy
 * would hear nothing there and pass whatever was blocked. Every page
 * therefore gets a preload script that turns the standard
 * `securitypolicyviolation` event into a console error naming the policy, in
 * both browsers.
 *
 * Except the refused inline style of code that came through `eval`: that is
 * the automation's screenshot style (see SCREENSHOT_STYLE_HASH) added from
 * playwright-core's evaluated scripts. Code the page runs itself cannot come
 * through `eval` under a policy without 'unsafe-eval', like the console's —
 * there, `eval` is itself a violation, reported from the script that tried it.
 */
function reportingCspViolations(browser: Browser): Browser {
  const newContext = browser.newContext.bind(browser);
  // `Browser.newPage` opens its page through `newContext`, so both are covered.
  browser.newContext = async (options) => {
    const context = await newContext(options);
    await context.addInitScript(() => {
      addEventListener('securitypolicyviolation', (event) => {
        const automation = event.effectiveDirective === 'style-src-elem' && event.blockedURI === 'inline' && / > eval$/.test(decodeURIComponent(event.sourceFile));
        if (automation) return;
        console.error(`Content Security Policy: the page's ${event.effectiveDirective} directive blocked ${event.blockedURI || 'an inline resource'}`);
      }, true);
    });
    return context;
  };
  return browser;
}

interface BidiMessage {
  id?: number;
  type?: string;
  method?: string;
  params?: { features?: Record<string, unknown>; type?: string; text?: unknown };
}

interface BidiTransport {
  send(message: BidiMessage): void;
  onmessage?: ((message: BidiMessage) => void) | undefined;
}

/**
 * The `<style>` element playwright-core adds to the page for a moment before
 * each screenshot over BiDi (`body {}`, to bring CSS animations in step), as
 * the hash Firefox names when a page's policy refuses it.
 */
const SCREENSHOT_STYLE_HASH = `'sha256-${createHash('sha256').update('body {}').digest('base64')}'`;

const handlers = new WeakMap<BidiTransport, (message: BidiMessage) => void>();
let adapted = false;

/**
 * Two adjustments to what passes between playwright-core 1.65 and Firefox
 * 153 ESR, made in its WebSocket transport (exported by playwright-core's
 * `lib/coreBundle` entry point):
 *
 * - Every new page makes playwright-core send
 *   `emulation.setMediaFeaturesOverride` with no feature set — a reset to the
 *   browser's own media features — and fail the page if the browser does not
 *   know the command. Firefox 153 ESR predates it ("unknown command"), so no
 *   page could be opened at all. Such a reset changes nothing where nothing
 *   was overridden, so it is answered here; a command that does override a
 *   feature still goes to Firefox and fails there, so no test can believe it
 *   emulated something it did not.
 * - Firefox reports what a page's Content-Security-Policy refused as a
 *   script error (a page error to the tests), including the refusal of the
 *   screenshot style above (over the DevTools protocol, playwright-core adds
 *   no such style). That one report, recognised by the style's hash, is
 *   dropped: it is the automation's doing, not the page's. Every other report
 *   passes.
 */
function adaptBidiTransport(): void {
  if (adapted) return;
  const core = createRequire(import.meta.url)('playwright-core/lib/coreBundle') as {
    server?: { WebSocketTransport?: { prototype: BidiTransport } };
  };
  const transport = core.server?.WebSocketTransport?.prototype;
  if (!transport || typeof transport.send !== 'function' || 'onmessage' in transport) {
    throw new Error('playwright-core\'s server.WebSocketTransport is not as expected: revisit adaptBidiTransport');
  }
  const send = transport.send;
  transport.send = function (this: BidiTransport, message: BidiMessage) {
    const features = message.params?.features;
    if (message.method === 'emulation.setMediaFeaturesOverride' && features && Object.values(features).every((value) => value == null)) {
      // Answered after the caller has registered its callback for this id, as a real answer would be.
      setImmediate(() => this.onmessage?.({ type: 'success', id: message.id, result: {} } as BidiMessage));
      return;
    }
    send.call(this, message);
  };
  // The connection sets `onmessage` on the transport; this accessor puts the filter in front of its handler.
  Object.defineProperty(transport, 'onmessage', {
    configurable: true,
    get(this: BidiTransport) {
      return handlers.get(this);
    },
    set(this: BidiTransport, handler: ((message: BidiMessage) => void) | undefined) {
      if (!handler) return void handlers.delete(this);
      handlers.set(this, (message) => {
        if (!isScreenshotStyleReport(message)) handler(message);
      });
    },
  });
  adapted = true;
}

function isScreenshotStyleReport(message: BidiMessage): boolean {
  const params = message.params;
  return message.type === 'event' && message.method === 'log.entryAdded' && params?.type === 'javascript'
    && typeof params.text === 'string' && params.text.includes(SCREENSHOT_STYLE_HASH);
}
