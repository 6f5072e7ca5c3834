/*
    Courseware's adapter for CATAPULT's cmi5 LMS Test Suite (lib/lms.custom.js in the suite's
    scratch copy; see lib/lms.template.js there for the interface).

    Everything goes through Courseware's real routes, as people use them: a trainer and a
    learner log in through the login form, and every form is sent with the CSRF token read from
    the page it is on.

    - importCourse: the trainer uploads the package in the editor ("Add a package"), into the
      course and module named by COURSEWARE_COURSE_ID and COURSEWARE_MODULE_ID. A package with
      problems comes back as the form again (422), which is an InvalidPackageError. The course id
      handed back is the address of the cmi5 course's page, where the upload leads.
    - getLaunchUrl: the trainer's page gives the lesson of AU n; the learner presses its launch
      button (with the launch mode); the answer is the AU's URL (a redirect for OwnWindow, the
      link on the player page for AnyWindow). The learner's cookies are given to the browser,
      which loads the AU's files from Courseware. The actor is always the learner's own: cmi5
      launches the person who is signed in.
    - waiveAU / abandonSession: the trainer's buttons on the cmi5 course's page.

    Settings (.env): COURSEWARE_URL, COURSEWARE_COURSE_ID, COURSEWARE_MODULE_ID,
    COURSEWARE_TRAINER_EMAIL, COURSEWARE_LEARNER_EMAIL, COURSEWARE_PASSWORD, LRS_KEY, LRS_SECRET.
*/
const Wreck = require("@hapi/wreck"),
    {InvalidPackageError} = require("./errors");

let base,
    trainer,
    learner,
    lastCourse,
    imported = 0;

const decode = (text) => text.replace(/&amp;/g, "&").replace(/&#39;/g, "'").replace(/&quot;/g, "\"").replace(/&lt;/g, "<").replace(/&gt;/g, ">");

class Person {
    constructor (email) {
        this.email = email;
        this.cookies = {};
    }

    cookieHeader () {
        return Object.entries(this.cookies).map(([name, value]) => `${name}=${value}`).join("; ");
    }

    remember (response) {
        const given = response.headers["set-cookie"] || [];

        for (const line of Array.isArray(given) ? given : [given]) {
            const [pair] = line.split(";"),
                index = pair.indexOf("="),
                name = pair.slice(0, index).trim(),
                value = pair.slice(index + 1).trim();

            if (value === "" || /expires=Thu, 01 Jan 1970/i.test(line) || /max-age=0/i.test(line)) {
                delete this.cookies[name];
            }
            else {
                this.cookies[name] = value;
            }
        }
    }

    async request (method, path, {payload, headers = {}} = {}) {
        const response = await Wreck.request(
                method,
                path.startsWith("http") ? path : `${base}${path}`,
                {
                    headers: {...headers, Cookie: this.cookieHeader()},
                    payload
                }
            ),
            body = (await Wreck.read(response)).toString("utf8");

        this.remember(response);

        return {status: response.statusCode, headers: response.headers, body};
    }

    async page (path) {
        const response = await this.request("GET", path);

        if (response.status !== 200) {
            throw new Error(`GET ${path} answered ${response.status}`);
        }

        return response.body;
    }

    async post (path, fields) {
        return this.request(
            "POST",
            path,
            {
                headers: {"Content-Type": "application/x-www-form-urlencoded"},
                payload: new URLSearchParams(fields).toString()
            }
        );
    }

    async logIn () {
        const page = await this.page("/login"),
            response = await this.post("/login", {csrf_token: csrfToken(page), email: this.email, password: process.env.COURSEWARE_PASSWORD});

        if (response.status !== 302) {
            throw new Error(`${this.email} could not log in (${response.status})`);
        }
    }
}

const csrfToken = (page) => {
    const found = /name="csrf_token"[^>]*?value="([^"]+)"/.exec(page) || /value="([^"]+)"[^>]*?name="csrf_token"/.exec(page);

    if (! found) {
        throw new Error("no CSRF token on the page");
    }

    return decode(found[1]);
};

const multipart = (fields, file) => {
    const boundary = `----courseware${Date.now()}${Math.random().toString(16).slice(2)}`,
        parts = [];

    for (const [name, value] of Object.entries(fields)) {
        parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
    }
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`));
    parts.push(file.data);
    parts.push(Buffer.from(`\r\n--${boundary}--\r\n`));

    return {payload: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}`};
};

const readStream = async (stream) => {
    const chunks = [];

    for await (const chunk of stream) {
        chunks.push(chunk);
    }

    return Buffer.concat(chunks);
};

const problemsOf = (page) => {
    const found = [];
    const pattern = /<li>([^<]*)<\/li>/g;
    let match;

    while ((match = pattern.exec(page)) !== null) {
        found.push(decode(match[1]));
    }

    const errors = /class="[^"]*error[^"]*"[^>]*>([^<]+)</.exec(page);

    if (errors) {
        found.push(decode(errors[1]).trim());
    }

    return found.join("; ");
};

module.exports = {
    setup: async () => {
        base = process.env.COURSEWARE_URL.replace(/\/$/, "");
        trainer = new Person(process.env.COURSEWARE_TRAINER_EMAIL);
        learner = new Person(process.env.COURSEWARE_LEARNER_EMAIL);
        await trainer.logIn();
        await learner.logIn();
    },

    teardown: async () => {},

    getLrsEndpoint: () => `${base}/xapi`,

    getLrsAuthHeader: () => `Basic ${Buffer.from(`${process.env.LRS_KEY}:${process.env.LRS_SECRET}`).toString("base64")}`,

    importCourse: async (stream, contentType, filename) => {
        const data = await readStream(stream),
            path = `/author/courses/${process.env.COURSEWARE_COURSE_ID}/packages`,
            page = await trainer.page(path);

        // every import is a package of its own (the suite imports some package twice)
        imported += 1;

        const body = multipart(
                {
                    csrf_token: csrfToken(page),
                    module: process.env.COURSEWARE_MODULE_ID,
                    new_module: ""
                },
                {field: "package", name: `${Date.now().toString(36)}-${imported}-${filename}`, type: contentType, data}
            ),
            response = await trainer.request("POST", path, {headers: {"Content-Type": body.type}, payload: body.payload});

        if (response.status === 302 && /\/cmi5\/\d+$/.test(response.headers.location)) {
            return new URL(response.headers.location, base).pathname;
        }
        if (response.status === 422) {
            throw new InvalidPackageError(`Courseware refused ${filename}: ${problemsOf(response.body)}`);
        }

        throw new Error(`Uploading ${filename} answered ${response.status} ${response.headers.location || ""}`);
    },

    getLaunchUrl: async (courseId, auIndex, actor, {launchMode} = {}) => {
        const coursePage = await trainer.page(courseId),
            row = new RegExp(`data-au-index="${auIndex}" data-lesson-url="([^"]+)"`).exec(coursePage);

        if (! row) {
            throw new Error(`the cmi5 course ${courseId} has no lesson for AU ${auIndex}`);
        }

        const lessonUrl = decode(row[1]),
            lessonPage = await learner.page(lessonUrl),
            response = await learner.post(`${lessonUrl}/cmi5/launch`, {csrf_token: csrfToken(lessonPage), mode: launchMode || "Normal"});

        let url;

        if (response.status === 303) {
            url = response.headers.location;
        }
        else if (response.status === 200) {
            const link = /id="cmi5-au" href="([^"]+)"/.exec(response.body);

            url = link && decode(link[1]);
        }
        if (! url) {
            throw new Error(`launching AU ${auIndex} answered ${response.status}`);
        }

        lastCourse = courseId;
        // the browser loads the AU's files as the learner
        await page.setCookie(...Object.entries(learner.cookies).map(([name, value]) => ({name, value, url: base})));

        return url;
    },

    cleanup: async () => {},

    hasWaive: () => true,
    waiveAU: async (registration, auIndex, reason) => {
        const page = await trainer.page(lastCourse),
            response = await trainer.post(`${lastCourse}/waive`, {csrf_token: csrfToken(page), registration, au: String(auIndex), reason});

        if (response.status !== 303) {
            throw new Error(`waiving answered ${response.status}`);
        }
        const after = await trainer.page(lastCourse);

        if (! after.includes(`waived (${reason})`)) {
            throw new Error(`the AU is not shown as waived: ${problemsOf(after)}`);
        }
    },

    hasAbandon: () => true,
    abandonSession: async (sessionId) => {
        const page = await trainer.page(lastCourse),
            response = await trainer.post(`${lastCourse}/abandon`, {csrf_token: csrfToken(page), session: sessionId});

        if (response.status !== 303) {
            throw new Error(`abandoning answered ${response.status}`);
        }
    }
};
