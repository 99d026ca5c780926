/**
 * Follow-ups: what the conversation so far says changes what a short message means. The engine
 * passes the last intent, its slots and what it asked back for.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { ConversationContext } from '../model.ts';
import { loadLanguage, type Language } from './index.ts';
import { TEST_VOCABULARY } from './test-vocabulary.ts';

const TODAY = '2026-04-15';
let language: Language;

before(async () => {
  language = await loadLanguage();
});

function understand(text: string, context?: ConversationContext) {
  return language.understand(text, TEST_VOCABULARY, TODAY, context);
}

describe('a district after a collection-day question without one', () => {
  const context: ConversationContext = { lastIntent: 'garbage_days', lastSlots: { wasteCategory: 'burnable' }, awaiting: 'district' };

  for (const [text, district] of [['駅前町', 'ekimae'], ['駅前です', 'ekimae'], ['えきまえちょう', 'ekimae'], ['桜ヶ丘', 'sakuragaoka'], ['城山', 'shiroyama'], ['蔵町地区', 'kuramachi'], ['Honmachi', 'honmachi']] as const) {
    test(`${text} keeps garbage_days and the category`, () => {
      const u = understand(text, context);
      assert.equal(u.intent, 'garbage_days');
      assert.equal(u.slots.district, district);
      assert.equal(u.slots.wasteCategory, 'burnable');
    });
  }

  test('the same district alone with no conversation is unknown, with the district', () => {
    const u = understand('駅前町');
    assert.equal(u.intent, 'unknown');
    assert.equal(u.slots.district, 'ekimae');
  });

  test('a new question is not swallowed by the follow-up', () => {
    const u = understand('今日の当番医は？', context);
    assert.equal(u.intent, 'duty_doctor');
    assert.equal(u.slots.wasteCategory, undefined);
  });
});

describe('another date after a duty-doctor answer', () => {
  const context: ConversationContext = { lastIntent: 'duty_doctor', lastSlots: { date: TODAY, department: '小児科' } };

  for (const [text, date] of [['明日は？', '2026-04-16'], ['じゃあ日曜は？', '2026-04-19'], ['5/3は', '2026-05-03'], ['あさっては?', '2026-04-17'], ['what about tomorrow?', '2026-04-16']] as const) {
    test(`${text} keeps duty_doctor with the new date and the department`, () => {
      const u = understand(text, context);
      assert.equal(u.intent, 'duty_doctor');
      assert.equal(u.slots.date, date);
      assert.equal(u.slots.department, '小児科');
    });
  }

  test('another department replaces the department', () => {
    const u = understand('歯科は？', context);
    assert.equal(u.intent, 'duty_doctor');
    assert.equal(u.slots.department, '歯科');
    assert.equal(u.slots.date, TODAY);
  });

  test('a waste item is a new question, not a duty-doctor follow-up', () => {
    const u = understand('ペットボトルは？', context);
    assert.equal(u.intent, 'garbage_item');
    assert.equal(u.slots.wasteItem, 'ペットボトル');
    assert.equal(u.slots.department, undefined);
  });

  test('明日は？ with no conversation is unknown', () => {
    assert.equal(understand('明日は？').intent, 'unknown');
  });
});

describe('an item after the assistant asked which one', () => {
  const context: ConversationContext = {
    lastIntent: 'garbage_item',
    lastSlots: { wasteItemCandidates: ['プラスチック製品'], wasteCategoryCandidates: ['plastic'] },
    awaiting: 'wasteItem',
  };

  for (const [text, item] of [['プラスチック製品', 'プラスチック製品'], ['ぺっとぼとる', 'ペットボトル'], ['卵のパック', '卵のパック'], ['かさ', '傘'], ['frying pan', 'フライパン']] as const) {
    test(`${text} answers it`, () => {
      const u = understand(text, context);
      assert.equal(u.intent, 'garbage_item');
      assert.equal(u.slots.wasteItem, item);
      assert.equal(u.slots.wasteItemCandidates, undefined);
      assert.equal(u.slots.wasteCategoryCandidates, undefined);
    });
  }

  test('after a garbage answer, another item keeps asking about garbage', () => {
    const u = understand('じゃあ缶は？', { lastIntent: 'garbage_item', lastSlots: { wasteItem: 'ペットボトル' } });
    assert.equal(u.intent, 'garbage_item');
    assert.equal(u.slots.wasteItem, '缶');
  });

  test('after a collection-day answer, an item asks for its days in the same district', () => {
    const u = understand('缶は？', { lastIntent: 'garbage_days', lastSlots: { wasteCategory: 'burnable', district: 'ekimae' } });
    assert.equal(u.intent, 'garbage_days');
    assert.equal(u.slots.wasteItem, '缶');
    assert.equal(u.slots.wasteCategory, undefined);
    assert.equal(u.slots.district, 'ekimae');
  });
});

describe('follow-ups of other intents', () => {
  test('events: another day', () => {
    const u = understand('明日は？', { lastIntent: 'events_today', lastSlots: { date: TODAY } });
    assert.equal(u.intent, 'events_today');
    assert.equal(u.slots.date, '2026-04-16');
  });

  test('facilities: the weekend', () => {
    const u = understand('週末は', { lastIntent: 'facilities_open', lastSlots: { date: TODAY } });
    assert.equal(u.intent, 'facilities_open');
    assert.equal(u.slots.date, '2026-04-18');
  });

  test('city window: another procedure', () => {
    const u = understand('住民票は？', { lastIntent: 'city_window', lastSlots: { procedure: 'child-allowance' } });
    assert.equal(u.intent, 'city_window');
    assert.equal(u.slots.procedure, 'juminhyo');
  });

  test('greeting and help do not carry over', () => {
    assert.equal(understand('明日は？', { lastIntent: 'greeting' }).intent, 'unknown');
    assert.equal(understand('明日は？', { lastIntent: 'help' }).intent, 'unknown');
  });
});
