//! 200 creates through the command line against an emulator that fails 30% of requests
//! (every fault kind): each call succeeds or fails clearly, a failed call repeated with its
//! idempotency key never doubles a batch, and exactly 200 batches exist at the end.

use std::collections::BTreeSet;
use std::sync::Mutex;

use batches_server::ServerConfig;

use crate::common::{Env, code, fast, ids, stderr, stdout};

const CREATES: usize = 200;
/// Calls allowed per create before the test gives up on it.
const ATTEMPTS: usize = 10;

#[test]
fn two_hundred_creates_under_faults_make_exactly_two_hundred_batches() {
    let env = Env::with(ServerConfig {
        fault_rate: 0.3,
        fault_seed: 13,
        slow_fault_ms: 200,
        ..fast()
    });
    let directory = env.directory(2);
    let created: Mutex<BTreeSet<String>> = Mutex::default();
    let failed_calls = Mutex::new(0usize);
    let retries = Mutex::new(0usize);
    let next = Mutex::new(0usize);
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                loop {
                    let n = {
                        let mut next = next.lock().unwrap();
                        *next += 1;
                        *next
                    };
                    if n > CREATES {
                        return;
                    }
                    let configuration = format!("cfg-{n}");
                    let key = format!("create-{n}");
                    let mut attempts = 0;
                    let id = loop {
                        attempts += 1;
                        assert!(attempts <= ATTEMPTS, "create {n} never succeeded");
                        let output = env
                            .cmd()
                            .args(crate::common::create_args(&directory, &configuration))
                            .args(["--idempotency-key", &key, "--max-retries", "3"])
                            .args(["--format", "jsonl", "--debug"])
                            .output()
                            .unwrap();
                        // Each retry follows a fault the client met.
                        *retries.lock().unwrap() += stderr(&output).matches(" retrying").count();
                        match code(&output) {
                            0 => break ids(&stdout(&output)).remove(0),
                            // The API refused after retries, or the network failed: said so.
                            1 | 3 => {
                                let errors = stderr(&output);
                                let last = errors.lines().rfind(|line| line.starts_with("error: "));
                                assert!(
                                    last.is_some_and(|line| line.starts_with("error: create batch")),
                                    "{errors}"
                                );
                                assert!(output.stdout.is_empty());
                                *failed_calls.lock().unwrap() += 1;
                            }
                            other => panic!("exit {other}: {}", stderr(&output)),
                        }
                    };
                    assert!(
                        created.lock().unwrap().insert(id.clone()),
                        "create {n} returned the batch of another create: {id}"
                    );
                }
            });
        }
    });
    let created = created.into_inner().unwrap();
    assert_eq!(created.len(), CREATES);

    let output = env
        .cmd()
        .args([
            "batches",
            "list",
            "--format",
            "jsonl",
            "--page-size",
            "1000",
        ])
        .args(["--max-retries", "20"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let listed = ids(&stdout(&output));
    let unique: BTreeSet<String> = listed.iter().cloned().collect();
    assert_eq!(listed.len(), CREATES, "exactly one batch per create");
    assert_eq!(unique, created, "the batches listed are the ones created");
    println!(
        "idempotency: {CREATES} creates, {} faults retried by the client, failed calls \
         (repeated with their key): {}, {} batches listed",
        retries.into_inner().unwrap(),
        failed_calls.into_inner().unwrap(),
        listed.len()
    );
}
