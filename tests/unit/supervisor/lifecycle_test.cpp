// The lifecycle table as a specification: walked pair by pair, it must be total, keep every
// promise the runner relies on (a stop always ends in idle, a child's exit is never ignored, a
// retired runner never starts again, every follow-up an action raises has a row), and hold the
// transitions docs/ARCHITECTURE.md describes.
#include <gtest/gtest.h>

#include <set>

#include "lifecycle.h"

namespace ggufd::supervisor {
namespace {

std::string describe(Phase phase, Event event) {
    return std::string(to_string(phase)) + " + " + std::string(to_string(event));
}

// Phases reachable from `from` through `events` only.
std::set<Phase> closure(std::set<Phase> from, const std::set<Event>& events) {
    for (bool grew = true; grew;) {
        grew = false;
        for (Phase phase : std::set<Phase>(from)) {
            for (Event event : events) grew |= from.insert(transition(phase, event).next).second;
        }
    }
    return from;
}

TEST(Lifecycle, EveryPhaseAndEventHasAnEntryAndANameForIt) {
    std::set<std::string_view> names;
    for (Phase phase : kAllPhases) EXPECT_TRUE(names.insert(to_string(phase)).second) << to_string(phase);
    for (Event event : kAllEvents) EXPECT_TRUE(names.insert(to_string(event)).second) << to_string(event);
    for (Phase phase : kAllPhases) {
        for (Event event : kAllEvents) {
            Transition t = transition(phase, event);
            EXPECT_NE(to_string(t.action), "?") << describe(phase, event);
            if (t.action == Action::ignore) {
                EXPECT_EQ(t.next, phase) << describe(phase, event) << ": ignored, yet moves";
            }
        }
    }
}

TEST(Lifecycle, AStopFromAnyPhaseEndsInIdleOnceTheChildHasExited) {
    for (Phase phase : kAllPhases) {
        Transition t = transition(phase, Event::stop);
        EXPECT_NE(t.action, Action::ignore) << describe(phase, Event::stop);
        // After the stop only the child's exit and the grace period's end are left to happen.
        std::set<Phase> after = closure({t.next}, {Event::kill_due, Event::exited});
        EXPECT_TRUE(after.count(Phase::idle)) << describe(phase, Event::stop);
        for (Phase reached : after) {
            EXPECT_TRUE(reached == Phase::idle || reached == Phase::stopping) << describe(phase, Event::stop) << " reaches "
                                                                              << to_string(reached);
        }
    }
}

TEST(Lifecycle, AChildsExitIsNeverIgnoredAndNeverExpectedWithoutOne) {
    for (Phase phase : kAllPhases) {
        Transition t = transition(phase, Event::exited);
        if (has_child(phase)) {
            EXPECT_NE(t.action, Action::ignore) << describe(phase, Event::exited);
            EXPECT_FALSE(has_child(t.next)) << describe(phase, Event::exited) << " still has a child";
        } else {
            EXPECT_EQ(t.action, Action::ignore) << describe(phase, Event::exited);
        }
    }
}

TEST(Lifecycle, OnlySpawningGivesARunnerAChild) {
    for (Phase phase : kAllPhases) {
        for (Event event : kAllEvents) {
            Transition t = transition(phase, event);
            if (!has_child(phase) && has_child(t.next)) {
                EXPECT_EQ(t.action, Action::spawn) << describe(phase, event);
            }
            if (t.action == Action::spawn) {
                EXPECT_EQ(phase, Phase::admitting) << describe(phase, event);
            }
        }
    }
}

TEST(Lifecycle, SignalsEscalateOnlyWhereASigtermWasSent) {
    const std::set<Phase> signalled = {Phase::stopping, Phase::restarting, Phase::killing};
    for (Phase phase : kAllPhases) {
        Transition t = transition(phase, Event::kill_due);
        EXPECT_EQ(t.action == Action::escalate, signalled.count(phase) == 1) << describe(phase, Event::kill_due);
    }
    for (Phase phase : kAllPhases) {
        for (Event event : kAllEvents) {
            Transition t = transition(phase, event);
            bool signals = t.action == Action::terminate || t.action == Action::kill_for_failure;
            if (signals) {
                EXPECT_TRUE(signalled.count(t.next)) << describe(phase, event);
            }
        }
    }
}

TEST(Lifecycle, ARetiredRunnerNeverStartsAgain) {
    // The supervisor never sends `start` to a retired runner; nothing else may start it either.
    std::set<Event> all_but_start(kAllEvents.begin(), kAllEvents.end());
    all_but_start.erase(Event::start);
    for (Phase phase : kAllPhases) {
        Transition t = transition(phase, Event::retire);
        EXPECT_NE(t.action, Action::ignore) << describe(phase, Event::retire);
        for (Phase reached : closure({t.next}, all_but_start)) {
            EXPECT_TRUE(reached == Phase::idle || reached == Phase::draining || reached == Phase::stopping)
                << describe(phase, Event::retire) << " can reach " << to_string(reached);
        }
    }
}

TEST(Lifecycle, EveryFollowUpAnActionRaisesHasARowWhereItLands) {
    struct FollowUp {
        Action action;
        std::vector<Event> events;
    };
    const FollowUp follow_ups[] = {
        {Action::launch, {Event::admitted, Event::refused, Event::launch_failed, Event::launch_deferred}},
        {Action::relaunch, {Event::admitted, Event::refused, Event::launch_failed, Event::launch_deferred}},
        {Action::spawn, {Event::launch_failed, Event::launch_deferred}},
        {Action::judge_exit, {Event::give_up, Event::restart_due}},
        {Action::mark_unhealthy, {Event::recycle}},
        {Action::drain, {Event::drained}},
    };
    for (Phase phase : kAllPhases) {
        for (Event event : kAllEvents) {
            Transition t = transition(phase, event);
            for (const FollowUp& follow_up : follow_ups) {
                if (follow_up.action != t.action) continue;
                for (Event raised : follow_up.events) {
                    EXPECT_NE(transition(t.next, raised).action, Action::ignore)
                        << describe(phase, event) << " -> " << to_string(t.next) << " cannot take "
                        << to_string(raised);
                }
            }
        }
    }
}

TEST(Lifecycle, EveryPhaseIsReachableFromIdle) {
    std::set<Event> all(kAllEvents.begin(), kAllEvents.end());
    std::set<Phase> reached = closure({Phase::idle}, all);
    for (Phase phase : kAllPhases) EXPECT_TRUE(reached.count(phase)) << to_string(phase);
}

TEST(Lifecycle, TheTransitionsTheDocsDescribe) {
    struct Case {
        Phase phase;
        Event event;
        Action action;
        Phase next;
    };
    const Case cases[] = {
        {Phase::idle, Event::start, Action::launch, Phase::admitting},
        {Phase::admitting, Event::admitted, Action::spawn, Phase::loading},
        {Phase::admitting, Event::stop, Action::cancel_start, Phase::idle},
        {Phase::loading, Event::healthy, Action::become_ready, Phase::ready},
        {Phase::loading, Event::start_timeout, Action::kill_for_failure, Phase::killing},
        {Phase::ready, Event::unhealthy, Action::mark_unhealthy, Phase::degraded},
        {Phase::degraded, Event::recycle, Action::kill_for_failure, Phase::killing},
        {Phase::degraded, Event::healthy, Action::recover, Phase::ready},
        {Phase::ready, Event::exited, Action::judge_exit, Phase::backoff},
        {Phase::backoff, Event::restart_due, Action::launch, Phase::admitting},
        {Phase::backoff, Event::give_up, Action::none, Phase::idle},
        {Phase::ready, Event::retire, Action::drain, Phase::draining},
        {Phase::draining, Event::drained, Action::terminate, Phase::stopping},
        {Phase::stopping, Event::start, Action::none, Phase::restarting},
        {Phase::restarting, Event::exited, Action::relaunch, Phase::admitting},
        {Phase::killing, Event::stop, Action::note_stop, Phase::stopping},
        {Phase::ready, Event::kill_due, Action::ignore, Phase::ready},
        {Phase::idle, Event::healthy, Action::ignore, Phase::idle},
    };
    for (const Case& c : cases) {
        Transition t = transition(c.phase, c.event);
        EXPECT_EQ(t.action, c.action) << describe(c.phase, c.event) << ": " << to_string(t.action);
        EXPECT_EQ(t.next, c.next) << describe(c.phase, c.event) << ": " << to_string(t.next);
    }
}

}  // namespace
}  // namespace ggufd::supervisor
