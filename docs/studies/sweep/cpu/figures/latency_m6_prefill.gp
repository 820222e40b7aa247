set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m6_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'gpt2-large: prefill, prefill_latency_ms'
$d0 << EOD
-0.03 513.06667 408.383094 617.750245
0.97 1674.60534 962.342899 2386.86778
1.97 7045.32531 6361.7386 7728.91201
EOD
$d1 << EOD
0.03 134.931242 119.800336 150.062149
1.03 722.375952 581.499882 863.252023
2.03 1420.80718 1369.32401 1472.29035
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
