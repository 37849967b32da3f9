# サインインの流れ：サインインフォーム、認証方法の選択、コードの入力、プッシュ通知の承認待ち、パスワードの再設定。

## Sign-in form (signin.html.tera).
signin-title = サインイン
signin-lead = { $product } へようこそ。
signin-username = ユーザー名
signin-password = パスワード
signin-remember = サインインしたままにする
signin-forgot = パスワードをお忘れですか？
signin-submit = サインイン
signin-passwordless = パスワードなしでサインイン

## Ways to sign in or verify (buttons on the sign-in form and the factor choice).
method-otp = 認証アプリの確認コード
method-push = Okta Verify へのプッシュ通知
method-sms = SMS で確認コードを受け取る
method-voice = 音声通話で確認コードを受け取る
method-email = メールで確認コードを受け取る

## Factor choice (factor.html.tera).
factor-title = ご本人確認
factor-lead = ご本人であることを確認する方法を選択してください。
factor-recovery-title = パスワードの再設定
factor-recovery-lead = 新しいパスワードを設定する前に、ご本人確認の方法を選択してください。
factor-group = 確認方法

## Code entry (verify.html.tera).
verify-otp-title = 認証アプリの確認コードを入力してください
verify-otp-hint = 認証アプリを開き、表示されている 6 桁の確認コードを入力してください。
verify-sms-title = SMS でお送りした確認コードを入力してください
verify-sms-hint = アカウントに登録されている電話番号に SMS で確認コードをお送りしました。
verify-voice-title = 音声通話でお伝えした確認コードを入力してください
verify-voice-hint = アカウントに登録されている電話番号にお電話し、確認コードをお伝えします。
verify-email-title = メールでお送りした確認コードを入力してください
verify-email-hint = アカウントに登録されているメールアドレスに確認コードをお送りしました。
verify-push-title = 確認コードを入力してください
verify-code = 確認コード
verify-submit = 確認
verify-no-code = 届きませんか？
verify-resend = 新しい確認コードを送信
verify-resend-in = { $seconds } 秒後に利用できます。

## Links under every step.
step-switch = 別の方法を試す
step-cancel = キャンセル

## Push wait (wait.html.tera and wait.js).
wait-title = お使いの電話をご確認ください
wait-lead = { $username } のサインイン要求を Okta Verify に送信しました。
wait-number = Okta Verify でこの数字をタップしてください：
wait-number-label = タップする数字：{ $number }
wait-waiting = 承認をお待ちしています…
wait-continue = 承認しました。続行する
wait-approved = 承認されました。サインインしています…
wait-denied = 要求が拒否されました。前の画面に戻ります…
wait-expired = 要求の有効期限が切れました。前の画面に戻ります…
wait-continuing = 続行しています…

## Recovery (recover.html.tera, new_password.html.tera).
recover-title = パスワードの再設定
recover-lead = ユーザー名を入力してください。確認コードまたはプッシュ通知でご本人確認を行った後、新しいパスワードを設定していただきます。
recover-continue = 次へ
recover-back = サインインに戻る
new-password-title = 新しいパスワードの設定
new-password-lead = 確認のため 2 回入力してください。次回からはこのパスワードでサインインします。
new-password-field = 新しいパスワード
new-password-again = 新しいパスワード（確認）
new-password-submit = パスワードを変更

## Notices: one line at the top of a step.
notice-expired = この手順は時間がかかりすぎたため、有効期限が切れました。最初からやり直してください。
notice-cancelled = サインインをキャンセルしました。
notice-denied = お使いのデバイスでサインイン要求が拒否されました。
notice-code-sent = 確認コードをお送りしました。
notice-code-resent = 新しい確認コードをお送りしました。
notice-resend-wait = { $seconds } 秒後に新しい確認コードをリクエストできます。
notice-resend-limit = 確認コードのリクエスト回数が多すぎます。最後にお送りしたコードを使用するか、最初からやり直してください。
notice-method-unavailable = この方法はお客様のアカウントではご利用いただけません。別の方法を選択してください。
notice-too-many-attempts = 誤った確認コードが何度も入力されました。最初からやり直してください。
notice-choose-another = 別の確認方法を選択してください。
notice-signed-out = サインアウトしました。
notice-session-ended = セッションが終了しました。もう一度サインインしてください。
notice-confirm-identity = このページを開くには、ご本人確認のためもう一度サインインしてください。
notice-password-changed = パスワードを変更しました。新しいパスワードでサインインしてください。
notice-confirm-change = この変更を行うには、ご本人確認のためもう一度サインインしてください。変更内容は保持され、サインイン後に反映されます。

## Form errors beside a field.
invalid-username-empty = ユーザー名を入力してください。
invalid-username = このユーザー名は無効です。
invalid-password-empty = パスワードを入力してください。
invalid-password-long = パスワードが長すぎます。
invalid-method = サインイン方法を選択してください。
invalid-factor = いずれかの選択肢を選んでください。
invalid-credentials = ユーザー名またはパスワードが正しくありません。
invalid-code-wrong = この確認コードは使用できませんでした。確認してもう一度お試しください。
invalid-code-empty = 確認コードを入力してください。
invalid-code-long = 確認コードが長すぎます。
invalid-code-digits = 確認コードは数字のみです。
invalid-code-alphanumeric = 確認コードは英数字のみです。
invalid-new-password-empty = 新しいパスワードを入力してください。
invalid-passwords-differ = 2 つのパスワードが一致しません。
invalid-password-weak = より安全なパスワードを設定してください：

## A password policy's rules, in words.
rule-min-length = { $count } 文字以上にしてください。
rule-longer = 文字数を増やしてください。
rule-lowercase = 英小文字を含めてください。
rule-uppercase = 英大文字を含めてください。
rule-number = 数字を含めてください。
rule-symbol = ! や # などの記号を含めてください。
rule-no-username = ユーザー名の一部を使用しないでください。
rule-history = 使用したことのないパスワードを設定してください。現在のパスワードと、直近 { $count } 個のパスワードは使用できません。
rule-history-any = 以前に使用したことのないパスワードを設定してください。
rule-policy = このパスワードは組織のパスワードポリシーで認められていません。より長いパスワードをお試しください。
