set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m5_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2-medium: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.03 1.6305402 1.37753985 1.88354055
0.97 1.14722409 1.10272705 1.19172113
1.97 1.11303861 0.985223382 1.24085384
EOD
$d1 << EOD
0.03 1.66232769 1.59207591 1.73257947
1.03 0.750450954 0.637890227 0.86301168
2.03 0.673263633 0.623881095 0.722646172
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
