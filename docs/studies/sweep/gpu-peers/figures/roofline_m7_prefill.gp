set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m7_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2-xl: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 4.49388498 4.48741021 4.50035974
0.94 5.42730206 5.3984965 5.45610762
1.94 5.68397647 5.67488899 5.69306395
EOD
$d1 << EOD
0 10.4776037 10.2893715 10.665836
1 11.385094 10.5485242 12.2216638
2 10.4471455 10.17737 10.7169211
EOD
$d2 << EOD
0.06 38.1090143 22.5005486 53.71748
1.06 21.7124272 21.4461973 21.978657
2.06 28.8548637 25.6443425 32.0653849
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
