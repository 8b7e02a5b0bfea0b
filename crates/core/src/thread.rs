//! Comment threads: approved comments arranged under their parents, depth-limited.
//!
//! The storage layer returns comments in creation order; this module turns them into a flat
//! sequence of [`Step`]s (open a comment, open/close a list of replies) that a template can walk
//! without recursion, which askama does not do.

/// Replies nest at most this deep; a reply to a comment at the limit is shown beside its parent.
pub const MAX_DEPTH: usize = 5;

/// What the threading needs to know of a comment.
pub trait Threaded {
    fn id(&self) -> i64;
    fn parent_id(&self) -> Option<i64>;
}

/// One step of a walk through the thread, in document order.
#[derive(Debug, PartialEq)]
pub enum Step<'a, C> {
    /// Start a comment (`<li>` and its body); `depth` counts from 1.
    Comment { comment: &'a C, depth: usize },
    /// Start the list of replies to the comment just opened.
    OpenReplies,
    /// End that list.
    CloseReplies,
    /// End the comment opened last (`</li>`).
    EndComment,
}

/// Arranges `comments` (in display order) into threads. A comment whose parent is missing (not
/// approved, or deleted) is shown at the top level rather than lost.
pub fn steps<C: Threaded>(comments: &[C]) -> Vec<Step<'_, C>> {
    // children[i] lists the indexes of the replies to comments[i]; roots are top-level ones.
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); comments.len()];
    let mut roots = Vec::new();
    // (id, index) in id order: a lookup table without hashing each id. Built by insertion, not
    // sorted: display order is creation order, so ids nearly always come ascending and each goes
    // at the end, and the reader Worker carries no sort's code.
    let mut by_id: Vec<(i64, usize)> = Vec::with_capacity(comments.len());
    for (i, c) in comments.iter().enumerate() {
        if let Err(at) = by_id.binary_search_by_key(&c.id(), |&(id, _)| id) {
            by_id.insert(at, (c.id(), i));
        }
    }
    let position = |id: i64| {
        by_id
            .binary_search_by_key(&id, |&(id, _)| id)
            .ok()
            .map(|at| by_id[at].1)
    };
    for (i, comment) in comments.iter().enumerate() {
        let parent = comment
            .parent_id()
            .filter(|&p| p != comment.id())
            .and_then(position);
        match parent {
            Some(parent) => children[parent].push(i),
            None => roots.push(i),
        }
    }
    // Replies beyond MAX_DEPTH are hoisted to the deepest allowed level, keeping their order.
    let mut out = Vec::with_capacity(comments.len() * 2);
    let mut seen = vec![false; comments.len()];
    for root in roots {
        walk(comments, &children, root, 1, &mut seen, &mut out);
    }
    // Only a parent cycle in bad data leaves comments unreached: show them rather than lose them.
    for index in 0..comments.len() {
        if !seen[index] {
            walk(comments, &children, index, 1, &mut seen, &mut out);
        }
    }
    out
}

fn walk<'a, C>(
    comments: &'a [C],
    children: &[Vec<usize>],
    index: usize,
    depth: usize,
    seen: &mut [bool],
    out: &mut Vec<Step<'a, C>>,
) {
    if std::mem::replace(&mut seen[index], true) {
        return; // a cycle in bad data: show each comment once
    }
    out.push(Step::Comment {
        comment: &comments[index],
        depth,
    });
    if depth < MAX_DEPTH {
        let replies: Vec<usize> = children[index]
            .iter()
            .copied()
            .filter(|&c| !seen[c])
            .collect();
        if !replies.is_empty() {
            out.push(Step::OpenReplies);
            for child in replies {
                walk(comments, children, child, depth + 1, seen, out);
            }
            out.push(Step::CloseReplies);
        }
        out.push(Step::EndComment);
    } else {
        out.push(Step::EndComment);
        // At the limit, the whole subtree follows as siblings at this depth, in order (the
        // order of indexes: no sort, whose code the reader Worker would carry once more).
        let descendants = descendants(children, index);
        for d in (0..comments.len()).filter(|&d| descendants[d]) {
            if !std::mem::replace(&mut seen[d], true) {
                out.push(Step::Comment {
                    comment: &comments[d],
                    depth,
                });
                out.push(Step::EndComment);
            }
        }
    }
}

/// Which comments descend from `index` (a flag per index), found with an explicit stack: a
/// reply chain thousands deep must not exhaust the wasm stack. The flags also guard against a
/// loop in corrupt data without hashing.
fn descendants(children: &[Vec<usize>], index: usize) -> Vec<bool> {
    let mut found = vec![false; children.len()];
    let mut stack = vec![index];
    while let Some(next) = stack.pop() {
        for &child in &children[next] {
            if !std::mem::replace(&mut found[child], true) {
                stack.push(child);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct C(i64, Option<i64>);
    impl Threaded for C {
        fn id(&self) -> i64 {
            self.0
        }
        fn parent_id(&self) -> Option<i64> {
            self.1
        }
    }

    fn outline(steps: &[Step<'_, C>]) -> String {
        steps
            .iter()
            .map(|s| match s {
                Step::Comment { comment, depth } => format!("{}@{}", comment.0, depth),
                Step::OpenReplies => "(".into(),
                Step::CloseReplies => ")".into(),
                Step::EndComment => ".".into(),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn threads_the_reference_responses() {
        // Phil's comment, Claire's reply to it, Claire's own later comment.
        let comments = [C(1, None), C(2, Some(1)), C(3, None)];
        assert_eq!(outline(&steps(&comments)), "1@1 ( 2@2 . ) . 3@1 .");
    }

    #[test]
    fn ids_out_of_order_still_find_their_parents() {
        // Imported comments keep their old ids, which need not rise with their dates.
        let comments = [
            C(30, None),
            C(10, Some(30)),
            C(20, Some(10)),
            C(5, Some(30)),
        ];
        assert_eq!(
            outline(&steps(&comments)),
            "30@1 ( 10@2 ( 20@3 . ) . 5@2 . ) ."
        );
    }

    #[test]
    fn orphans_are_shown_at_the_top() {
        let comments = [C(5, Some(99)), C(6, Some(5))];
        assert_eq!(outline(&steps(&comments)), "5@1 ( 6@2 . ) .");
    }

    #[test]
    fn deep_replies_attach_to_the_fifth_level() {
        let comments: Vec<C> = (1..=8)
            .map(|i| C(i, if i == 1 { None } else { Some(i - 1) }))
            .collect();
        assert_eq!(
            outline(&steps(&comments)),
            "1@1 ( 2@2 ( 3@3 ( 4@4 ( 5@5 . 6@5 . 7@5 . 8@5 . ) . ) . ) . ) ."
        );
    }

    #[test]
    fn a_reply_chain_thousands_deep_is_flattened_without_recursion() {
        let comments: Vec<C> = (1..=20_000)
            .map(|i| C(i, if i == 1 { None } else { Some(i - 1) }))
            .collect();
        let out = steps(&comments);
        let shown = out
            .iter()
            .filter(|s| matches!(s, Step::Comment { .. }))
            .count();
        assert_eq!(shown, 20_000);
        assert!(out
            .iter()
            .all(|s| !matches!(s, Step::Comment { depth, .. } if *depth > MAX_DEPTH)));
    }

    #[test]
    fn cycles_do_not_loop() {
        let comments = [C(1, Some(2)), C(2, Some(1)), C(3, Some(3))];
        let out = steps(&comments);
        // 1 and 2 point at each other, so neither is a root; they are still shown, once each.
        assert_eq!(outline(&out), "3@1 . 1@1 ( 2@2 . ) .");
    }

    #[test]
    fn siblings_keep_their_order() {
        let comments = [C(1, None), C(2, Some(1)), C(3, Some(1)), C(4, None)];
        assert_eq!(outline(&steps(&comments)), "1@1 ( 2@2 . 3@2 . ) . 4@1 .");
    }
}
