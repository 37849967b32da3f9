# すべてのページに共通の文言：レイアウト、言語の選択、日時、エラーページ。
# メッセージ ID は英語のカタログ（locales/en）と同じです。
# 丁寧語（です・ます）。用語：「サインイン」「確認コード」「認証アプリ」「パスワード」。

## This language, named in itself (shown in the language picker).
language-name = 日本語

## The layout (base.html.tera).
skip-to-content = 本文へ移動
secure-badge = 安全なサインイン
language-picker = 言語
footer-safety = { $product } が電話やメールでパスワードや確認コードをお尋ねすることは決してありません。
footer-support = ヘルプとサポート
# Put before a page title when its form came back with an error.
title-error = エラー：

## Dates and times (UTC). Variables: $year, $month, $day, $hour, $minute (zero-padded).
datetime-utc = { $year }/{ $month }/{ $day } { $hour }:{ $minute } UTC

## The error page (error.html.tera).
error-retry-after = 約 { $seconds } 秒後にもう一度お試しいただけます。
error-back-to-signin = サインインに戻る
error-reference = サポートにお問い合わせの際は、次の操作 ID をお伝えください：
error-unavailable-title = 現在サインインできません
error-unavailable-detail = 当社側で問題が発生しました。しばらくしてからもう一度お試しください。
error-unavailable-short-detail = しばらくしてからもう一度お試しください。
error-rate-limited-title = 試行回数が多すぎます
error-rate-limited-detail = しばらく待ってからもう一度お試しください。
error-policy-title = この方法ではサインインできません
error-policy-detail = 組織のポリシーで許可されていません。別の方法をお試しいただくか、サポートにお問い合わせください。
error-internal-title = 問題が発生しました
error-internal-detail = しばらくしてから最初からやり直してください。
error-csrf-title = このページの有効期限が切れました
error-csrf-detail = セキュリティ保護のため、フォームを受け付けられませんでした。前のページに戻り、ページを再読み込みしてからもう一度お試しください。
error-not-found-title = ページが見つかりません
error-not-found-detail = このアドレスにはページがありません。
error-refused-title = リクエストが拒否されました
error-refused-detail = セキュリティ保護のため、このリクエストは拒否されました。ページを再読み込みしてからもう一度お試しください。
error-bad-request-title = リクエストの内容に問題がありました
error-bad-request-detail = 前のページに戻り、フォームを確認してからもう一度お試しください。
error-forbidden-title = このページへのアクセス権がありません
error-forbidden-detail = サインイン済みですが、このページはお客様のアカウントには公開されていません。アクセスできるはずだとお考えの場合は、このサイトの管理者にお問い合わせください。
