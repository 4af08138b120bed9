import time
CELLS = [
    "import logging, time, random\nfrom distributed import Client, LocalCluster\nimport jupyter_dashmon\n"
    "cluster = LocalCluster(n_workers=2, threads_per_worker=2, dashboard_address=None, silence_logs=logging.ERROR)\n"
    "client = Client(cluster)\ndash = client.dashboard()\ndash",
    "def inc(x):\n    time.sleep(random.random()/10)\n    return x+1\n"
    "def add(x, y):\n    time.sleep(random.random()/10)\n    return x+y\n"
    "incs = client.map(inc, range(100)); decs = client.map(inc, range(100, 200)); adds = client.map(add, incs, decs)\n"
    "total = client.submit(sum, adds); del incs, decs, adds\ntotal.result()",
    "time.sleep(2); bad = client.submit(lambda x: 1/0, 1, key='<img src=x onerror=alert(1)>')",
]
def test_look(browser, run_notebook):
    run_notebook(CELLS)
    page = browser.page
    time.sleep(3)
    page.set_viewport_size({"width": 1400, "height": 1400})
    el = page.locator(".dashmon-dashboard").first
    el.screenshot(path="test-artifacts/look-status.png")
    print("errors", browser.errors)
    for i, name in enumerate(["Tasks", "Workers", "Scheduler"], start=1):
        page.locator(".lm-TabBar-tab", has_text=name).first.click()
        time.sleep(2)
        el.screenshot(path=f"test-artifacts/look-{name}.png")
