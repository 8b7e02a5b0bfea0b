-- Demo content: the reference page (../shared/seed/health-is-social.txt), a post from March 2011
-- with its addendum and three responses. Loaded by `npm run dev`; never part of a real deployment.
-- The text copy of the page lost its link targets; the ones here are reconstructions.
-- Times are UTC (London was on GMT on 18 March 2011). Safe to load twice.
-- The post's illustration, demo/health-is-social.png (drawn by scripts/demo-image.mjs), is named by
-- its SHA-256: `npm run dev` and the tests upload it to the media library before rendering.

INSERT OR IGNORE INTO settings (key, value) VALUES
  ('title', 'Health Techie'),
  ('tagline', 'Just another site'),
  ('author', 'Claire'),
  ('time_zone', 'Europe/London'),
  ('language', 'en-GB'),
  ('base_url', 'http://127.0.0.1:8787');

INSERT OR IGNORE INTO posts (id, slug, title, body, status, published_at, updated_at, comments_open)
VALUES (1, 'health-is-social-aint-no-doubt', 'Health is Social- ain’t no doubt',
'Found [this website](http://philbaumann.com/) through Twitter.

I have to say, I find the topic of change management and “selling” social media to organisations such as the nhs fascinating. My personal view is that we will have to go along the lines of

* “what can this use of technology do for my business?
* what health outcomes can this technology help me to meet?
* how will the use of this technology assist me in the new financial climate in healthcare?”.

![A patient at the centre of a web of people, each linked to the patient and to one another](/media/e5a193949016063b69675ce18341e81f4a098dd8d564a2caac8e84dbba3f4dd6/health-is-social.png)

Certainly, the reality of the coming cuts in healthcare does focus the mind, as can be seen [here](https://www.theguardian.com/society/nhs).

Perhaps another lever to use is the environment of personalisation- and certainly [this post from a recent Guardian blog](https://www.theguardian.com/healthcare-network) supports the idea that communication will be key where service users have increased choice over providers. Additionally, it’s true that it’s a more sustainable choice- lower carbon, less travel, less office space, more accessible- but I think those are additional benefits for organisations at this time.

Ultimately, we have to look at where our businesses are with their use of social media and see how we can move them along. Not try to evangelise about how we see they could use it.

And that’s tough for a sparky health techie. 🙂
',
'published', 1300395900, 1300457820, 1);

INSERT OR IGNORE INTO addenda (id, post_id, body, created_at)
VALUES (1, 1, 'Despite some people’s misgivings, many Doctors are now using Social Media channels to communicate, as was reported today in the [Huffington Post](https://www.huffpost.com/). The report states that most physicians are able to use the technology appropriately, and consider it valuable for getting information that is trustworthy out there.

> A lot of physicians say to me, ‘Why do I need to participate in social media?’ And I say, because that’s where the patients are. This is a new generation of informed patients, who are going online to get information, and the bigger the disconnect between us and them online, the harder our job is going to be in the exam room.

[This blog](http://philbaumann.com/) considers that article, and relates that there will be a gathering for Doctors who wish to use Social Media in Paris this June. Follow [#doctors20](https://twitter.com/search?q=%23doctors20) on Twitter.
', 1300457820);

INSERT OR IGNORE INTO comments (id, post_id, parent_id, author_name, author_email, author_url, body, status, created_at, by_post_author)
VALUES (1, 1, NULL, 'Phil Baumann', 'phil@example.com', 'http://philbaumann.com/',
'Hi Claire

I wrote the post on speaking with execs on social media – it’s may have been odd for me to write such a post, since I”m not a big fan of social media “evangelization” only because I think there’s so much more we need to address in health care than social media. Social Media illiteracy is an easy fix – it’s the deeper issues of behavior change (from how public health to clinical collaboration to education).

The reality, however, is that many hospitals in the U.S. do not have leadership which understand the nature of these media – they don’t use them much personally and their understanding and perception of them is from a distance and influenced by what “those kids do on the Farmville”.

So we need the executives in key positions to get up to speed with contemporary communications and technologies.

Most execs are concerned about the bottom line, but they are also charged with getting to bottom lines more effectively – and those who understand the role these technologies can play beyond “driving patient revenues” will be vital players in moving health care forward.', 'approved', 1300411020, 0);

INSERT OR IGNORE INTO comments (id, post_id, parent_id, author_name, author_email, author_url, body, status, created_at, by_post_author)
VALUES (2, 1, 1, 'Claire', 'claire@example.com', NULL,
'Phil, I couldn’t agree with you more! Thanks for taking time out to comment on the blog- you’ll see I’ve already linked to you in my Blogroll because I know that what you have to say on this subject is in tune with my on thinking, and I’m sure it will chime with other readers too. I plan to add further thoughts to this post.', 'approved', 1300412340, 1);

INSERT OR IGNORE INTO comments (id, post_id, parent_id, author_name, author_email, author_url, body, status, created_at, by_post_author)
VALUES (3, 1, NULL, 'Claire', 'claire@example.com', NULL,
'Jobs are now appearing in Healthcare as Social Media Managers. Whilst I would love to see the day this was unnecessary as all staff were able to use social media to promote their employer, perhaps this is a transitional stage towards that end? Thanks to @a_double_tt for the recent link.', 'approved', 1300414140, 1);
