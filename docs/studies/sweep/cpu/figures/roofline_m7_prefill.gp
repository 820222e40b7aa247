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
-0.03 3.22495029 3.14061652 3.30928406
0.97 2.51289804 2.41144684 2.61434923
1.97 2.27609848 2.11434235 2.43785461
EOD
$d1 << EOD
0.03 4.64833547 4.1485555 5.14811543
1.03 0.824932842 0.751956096 0.897909588
2.03 1.14495239 1.12891859 1.16098619
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
