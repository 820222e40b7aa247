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
-0.03 1.89470733 1.85187754 1.93753713
0.97 1.15127825 1.13330491 1.16925159
1.97 1.1897613 1.10314542 1.27637718
EOD
$d1 << EOD
0.03 2.932709 1.81723489 4.04818311
1.03 0.873908821 0.812476408 0.935341233
2.03 0.735465761 0.70106442 0.769867101
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
