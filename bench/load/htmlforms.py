"""Read HTML forms the way a browser submits them (no third-party parser, no Django, no locust).

`find_forms(html)` returns every <form> on a page with the values a browser would send if the user pressed the
submit button without touching anything: text inputs and hidden fields (the CSRF token, formset management
forms) with their value, checked checkboxes and radios only, a <select>'s selected option (or its first option),
the text of a <textarea>; disabled controls and buttons are left out. The load-test clients then change the
fields a person would fill in (`set`, `check`) and post `pairs()`. Used by locustfile.py and by
tests/bench/test_loadtest_plan.py, which posts the real pages back through Django's test client."""

from html.parser import HTMLParser


class Form:
    def __init__(self, action: str | None, method: str):
        self.action, self.method = action, method
        self.controls: list[dict] = []  # in document order: name, kind, value, checked, label, disabled

    # --- reading ---------------------------------------------------------------------------------

    def names(self) -> set[str]:
        return {c["name"] for c in self.controls}

    def options(self, name: str) -> list[tuple[str, str]]:
        """(value, label) of the choices of a select, radio group or checkbox group."""
        out = []
        for c in self.controls:
            if c["name"] != name or c["disabled"]:
                continue
            if c["kind"] == "select":
                out += [(value, label) for value, label, _selected in c["options"]]
            elif c["kind"] in ("radio", "checkbox"):
                out.append((c["value"], c["label"]))
        return out

    def value(self, name: str) -> str | None:
        values = [v for n, v in self.pairs() if n == name]
        return values[0] if values else None

    def pairs(self) -> list[tuple[str, str]]:
        """The (name, value) pairs a browser posts, in document order."""
        out = []
        for c in self.controls:
            if c["disabled"] or not c["name"]:
                continue
            kind = c["kind"]
            if kind in ("radio", "checkbox"):
                if c["checked"]:
                    out.append((c["name"], c["value"]))
            elif kind == "select":
                chosen = [v for v, _label, selected in c["options"] if selected]
                if c.get("multiple"):
                    out += [(c["name"], v) for v in chosen]
                elif chosen:
                    out.append((c["name"], chosen[-1]))
                elif c["options"]:
                    out.append((c["name"], c["options"][0][0]))
            elif kind in ("submit", "button", "reset", "image", "file"):
                continue
            else:
                out.append((c["name"], c["value"]))
        return out

    # --- filling in ------------------------------------------------------------------------------

    def set(self, name: str, value: str) -> "Form":
        """Type into a text field, pick a select option or a radio button."""
        found = False
        for c in self.controls:
            if c["name"] != name:
                continue
            found = True
            if c["kind"] == "select":
                if not any(v == value for v, _l, _s in c["options"]):
                    raise ValueError(f"{name}: no option {value!r}")
                c["options"] = [(v, label, v == value) for v, label, _s in c["options"]]
            elif c["kind"] == "radio":
                c["checked"] = c["value"] == value
            elif c["kind"] == "checkbox":
                c["checked"] = c["value"] == value
            else:
                c["value"] = value
        if not found:
            raise KeyError(f"no field {name!r} in the form")
        if any(c["kind"] == "radio" for c in self.controls if c["name"] == name) and not any(
            c["checked"] for c in self.controls if c["name"] == name
        ):
            raise ValueError(f"{name}: no radio button {value!r}")
        return self

    def check(self, name: str, value: str, on: bool = True) -> "Form":
        """Tick (or untick) one checkbox of a group."""
        for c in self.controls:
            if c["name"] == name and c["kind"] == "checkbox" and c["value"] == value:
                c["checked"] = on
                return self
        raise KeyError(f"no checkbox {name}={value!r}")

    def checked(self, name: str) -> list[str]:
        return [c["value"] for c in self.controls if c["name"] == name and c["kind"] == "checkbox" and c["checked"]]


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: dict | None = None
        self.option: list | None = None  # [value, text parts, selected]
        self.textarea: dict | None = None
        self.label: list | None = None  # text parts of the open <label>
        self.label_controls: list[dict] = []  # controls inside the open <label>

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.form = Form(a.get("action"), (a.get("method") or "get").lower())
            self.forms.append(self.form)
            return
        if tag == "label":
            self.label, self.label_controls = [], []
            return
        if self.form is None:
            return
        disabled = "disabled" in a
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            default = "on" if kind in ("checkbox", "radio") else ""
            control = {
                "name": a.get("name") or "",
                "kind": kind,
                "value": a.get("value") if a.get("value") is not None else default,
                "checked": "checked" in a,
                "label": "",
                "disabled": disabled,
            }
            self.form.controls.append(control)
            if self.label is not None:
                self.label_controls.append(control)
        elif tag == "select":
            self.select = {
                "name": a.get("name") or "",
                "kind": "select",
                "options": [],
                "multiple": "multiple" in a,
                "disabled": disabled,
                "value": "",
                "checked": False,
                "label": "",
            }
            self.form.controls.append(self.select)
        elif tag == "option" and self.select is not None:
            self.option = [a.get("value"), [], "selected" in a]
        elif tag == "textarea":
            self.textarea = {
                "name": a.get("name") or "",
                "kind": "textarea",
                "value": "",
                "parts": [],
                "checked": False,
                "label": "",
                "disabled": disabled,
            }
            self.form.controls.append(self.textarea)
        elif tag == "button" and a.get("name"):
            button = {"name": a["name"], "kind": "submit", "value": a.get("value", ""), "checked": False, "label": ""}
            self.form.controls.append({**button, "disabled": disabled})

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "option" and self.option is not None and self.select is not None:
            value, parts, selected = self.option
            text = " ".join("".join(parts).split())
            self.select["options"].append((text if value is None else value, text, selected))
            self.option = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            text = "".join(self.textarea.pop("parts"))
            # Browsers drop one leading newline right after <textarea>.
            self.textarea["value"] = text[1:] if text.startswith("\n") else text
            self.textarea = None
        elif tag == "label" and self.label is not None:
            text = " ".join("".join(self.label).split())
            for control in self.label_controls:
                control["label"] = text
            self.label, self.label_controls = None, []

    def handle_data(self, data):
        if self.option is not None:
            self.option[1].append(data)
        if self.textarea is not None:
            self.textarea["parts"].append(data)
        if self.label is not None:
            self.label.append(data)


def find_forms(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.forms


def form_for(html: str, action: str | None = None, field: str | None = None) -> Form | None:
    """The first post form with this `action` ("": a form posting back to the page itself, None: any) and/or
    holding `field`."""
    for form in find_forms(html):
        if form.method != "post":
            continue
        if action is not None and (form.action or "") != action:
            continue
        if field is not None and field not in form.names():
            continue
        return form
    return None
