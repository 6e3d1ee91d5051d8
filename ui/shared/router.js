// Client-side routes under the app's base path (/operate/, /tasklist/): links marked `data-link`
// change the page without reloading; the broker answers any route with the app's index.html.

export class Router {
  /** `routes`: [[/regex over the path below the base/, (match, query, page) => void], ...] */
  constructor(base, routes, notFound) {
    this.base = base.replace(/\/$/, '');
    this.routes = routes;
    this.notFound = notFound;
    window.addEventListener('popstate', () => this.render());
    document.addEventListener('click', (event) => {
      const link = event.target.closest && event.target.closest('a[data-link]');
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      this.go(link.getAttribute('href'));
    });
  }

  /** The app's URL of `path` (below the base), e.g. href('/processes/1'). */
  href(path, query) {
    const search = query ? new URLSearchParams(
      Object.entries(query).filter(([ , value ]) => value !== undefined && value !== null && value !== '')
    ).toString() : '';
    return this.base + path + (search ? `?${search}` : '');
  }

  go(url, replace = false) {
    if (replace) {
      history.replaceState(null, '', url);
    } else {
      history.pushState(null, '', url);
    }
    this.render();
  }

  render() {
    let path = location.pathname;
    if (path.startsWith(this.base)) path = path.slice(this.base.length);
    if (!path.startsWith('/')) path = '/' + path;
    const query = new URLSearchParams(location.search);
    if (this.page) this.page.leave();
    const page = this.page = new Page();
    for (const [ pattern, handler ] of this.routes) {
      const match = path.match(pattern);
      if (match) {
        handler(match, query, page);
        return;
      }
    }
    this.notFound(path, page);
  }
}

/** The page on screen: `active` until the user goes elsewhere; `every` polls while it is. */
export class Page {
  constructor() {
    this.active = true;
    this.timers = [];
    this.cleanups = [];
  }

  onLeave(callback) {
    this.cleanups.push(callback);
  }

  every(milliseconds, callback) {
    const timer = setInterval(() => {
      if (this.active && document.visibilityState !== 'hidden') callback();
    }, milliseconds);
    this.timers.push(timer);
  }

  leave() {
    this.active = false;
    this.timers.forEach(clearInterval);
    this.cleanups.forEach((callback) => callback());
  }
}
